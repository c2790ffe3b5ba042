package workload

import (
	"strconv"
	"time"
)

// Names. Every generator below is injective in its index (j for a file, k
// for a subdirectory) for a fixed directory key, so the names inside one
// directory never repeat without any set to check them against. File names
// always contain a '.', start with '_' or are hex strings of 16 or more
// characters; subdirectory names never contain a '.' or start with '_', and
// hex ones are 2 characters: the two families never collide.

const nWords = 256

var words = [nWords]string{

	"alpha", "amber", "anchor", "apple", "archive", "arrow", "atlas", "audio", "autumn", "avatar", "backup", "badge",
	"bamboo", "banner", "barrel", "basin", "beacon", "berry", "binary", "birch", "bison", "blade", "blaze", "bloom",
	"board", "bolt", "bonus", "border", "bottle", "branch", "breeze", "brick", "bridge", "bronze", "brook", "bucket",
	"budget", "buffer", "cabin", "cactus", "cable", "camera", "canal", "candle", "canvas", "canyon", "carbon", "cargo",
	"castle", "cedar", "cellar", "chalk", "channel", "chapter", "cherry", "circle", "citrus", "client", "cliff", "clock",
	"cloud", "clover", "cobalt", "comet", "config", "copper", "coral", "cotton", "cradle", "crane", "crater", "credit",
	"crystal", "cursor", "dagger", "daisy", "dataset", "delta", "desert", "design", "digest", "dinner", "dolphin", "domain",
	"dragon", "draft", "dream", "drift", "eagle", "earth", "echo", "eclipse", "editor", "ember", "engine", "export",
	"fabric", "falcon", "feather", "ferry", "fiber", "field", "filter", "final", "flame", "flask", "fleet", "forest",
	"fossil", "fountain", "frame", "galaxy", "garden", "garnet", "gateway", "glacier", "global", "granite", "graph", "gravel",
	"harbor", "harvest", "hazel", "helium", "helper", "hollow", "honey", "horizon", "hunter", "iceberg", "image", "index",
	"indigo", "island", "ivory", "jasmine", "journal", "jungle", "kernel", "kettle", "ladder", "lagoon", "lantern", "laser",
	"layout", "lemon", "letter", "lotus", "lumber", "magnet", "maple", "marble", "market", "meadow", "mercury", "meteor",
	"mirror", "module", "monitor", "mosaic", "motor", "mountain", "native", "nebula", "needle", "nickel", "notes", "oasis",
	"ocean", "olive", "onyx", "orbit", "orchard", "output", "oyster", "packet", "paddle", "palette", "panel", "paper",
	"parcel", "pepper", "phoenix", "photo", "pilot", "pixel", "planet", "plaza", "pocket", "polar", "portal", "prism",
	"project", "pulse", "puzzle", "quartz", "quiver", "radar", "rapids", "raven", "record", "reef", "report", "ribbon",
	"river", "rocket", "router", "saddle", "sample", "satin", "schema", "scroll", "season", "shadow", "shelter", "signal",
	"silver", "sketch", "socket", "solar", "spark", "spiral", "spring", "stable", "summer", "sunset", "table", "temple",
	"thunder", "timber", "token", "topaz", "tower", "tracker", "trail", "tunnel", "update", "valley", "vector", "velvet",
	"venture", "violet", "vista", "volume", "walnut", "window", "winter", "wizard", "yellow", "zenith", "zephyr", "jigsaw",
	"lilac", "mango", "nectar", "quarry",
}

// perm8 is an affine bijection of [0, 256): a different order of the word
// list for every directory.
type perm8 struct{ a, b uint8 }

func newPerm8(k uint64) perm8 { return perm8{uint8(k) | 1, uint8(k >> 8)} }

func (p perm8) at(x int) int { return int((uint(p.a)*uint(x&255) + uint(p.b)) & 255) }

// appendWords appends a unique word combination for index i: one word for
// i < 256, two joined by sep below 65536, then a numeric suffix.
func appendWords(b []byte, i int, p1, p2 perm8, sep byte, camel bool) []byte {
	w := words[p1.at(i)]
	b = appendWord(b, w, camel)
	q := i >> 8
	if q > 0 {
		if !camel {
			b = append(b, sep)
		}
		b = appendWord(b, words[p2.at(q)], camel)
		if q >= nWords {
			b = append(b, sep)
			b = strconv.AppendInt(b, int64(q>>8), 10)
		}
	}
	return b
}

func appendWord(b []byte, w string, camel bool) []byte {
	if camel {
		return append(append(b, w[0]-'a'+'A'), w[1:]...)
	}
	return append(b, w...)
}

func appendPad(b []byte, v int64, width int) []byte {
	var tmp [24]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, v uint64, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, hexDigits[(v>>(60-4*uint(i%16)))&15])
		if i%16 == 15 {
			v = mix64(v + 0x632be59bd9b4e019)
		}
	}
	return b
}

// appendStamp appends t (seconds since the epoch, UTC) as YYYYMMDD<sep>HHMMSS.
func appendStamp(b []byte, sec int64, sep byte) []byte {
	t := time.Unix(sec, 0).UTC()
	b = appendPad(b, int64(t.Year()), 4)
	b = appendPad(b, int64(t.Month()), 2)
	b = appendPad(b, int64(t.Day()), 2)
	b = append(b, sep)
	b = appendPad(b, int64(t.Hour()), 2)
	b = appendPad(b, int64(t.Minute()), 2)
	return appendPad(b, int64(t.Second()), 2)
}

// appendDate appends t as YYYY-MM-DD (and -HH when hour).
func appendDate(b []byte, sec int64, hour bool) []byte {
	t := time.Unix(sec, 0).UTC()
	b = appendPad(b, int64(t.Year()), 4)
	b = append(b, '-')
	b = appendPad(b, int64(t.Month()), 2)
	b = append(b, '-')
	b = appendPad(b, int64(t.Day()), 2)
	if hour {
		b = append(b, '-')
		b = appendPad(b, int64(t.Hour()), 2)
	}
	return b
}

// File themes: what the files of one directory look like.
const (
	ftDocs = iota
	ftParquet
	ftPhotos
	ftModel
	ftSource
	ftLogs
	ftObjects
	ftNumbered
	numFileThemes
)

var fileThemeNames = [numFileThemes]string{"docs", "parquet", "photos", "model", "source", "logs", "objects", "numbered"}

var fileThemeWeights = []float64{0.22, 0.10, 0.12, 0.004, 0.25, 0.08, 0.07, 0.12}

// sizeModel is a log-normal size (median e^mu bytes) with a share of empty files.
type sizeModel struct {
	mu, sigma float64
	empty     float64
}

var themeSizes = [numFileThemes]sizeModel{
	ftDocs:     {10.1, 2.0, 0.04}, // ~24 KiB
	ftParquet:  {17.0, 1.0, 0},    // ~24 MiB
	ftPhotos:   {15.1, 0.45, 0.002},
	ftModel:    {21.1, 1.0, 0}, // ~1.5 GiB
	ftSource:   {8.5, 1.4, 0.03},
	ftLogs:     {11.9, 2.2, 0.05},
	ftObjects:  {7.3, 1.8, 0.001},
	ftNumbered: {11.7, 1.6, 0.02},
}

var docExts = []string{".txt", ".pdf", ".docx", ".md", ".csv", ".xlsx", ".json", ".html", ".png", ".odt", ".pptx", ".xml"}
var srcExts = []string{".go", ".py", ".c", ".js", ".java", ".rs", ".ts", ".cc", ".rb", ".sh"}
var photoExts = []string{".jpg", ".jpg", ".jpg", ".HEIC"}
var numberedFmt = []struct {
	pre   string
	width int
	ext   string
}{{"frame_", 6, ".png"}, {"chunk_", 5, ".bin"}, {"", 8, ".dat"}, {"data_", 4, ".csv"}, {"sample_", 6, ".wav"}, {"tile_", 5, ".webp"}}

// fileStyle is everything a directory's files share, derived from its key.
type fileStyle struct {
	theme   int
	variant int
	k       uint64 // the directory's file-name key
	p1, p2  perm8
	sep     byte
	base    int64 // seconds: the start of the directory's activity
	spread  int64 // seconds over which its files were written
	owner   int
	dirMode uint32
}

// fileName appends the name of file j of n in a directory of style st.
func (st *fileStyle) fileName(b []byte, j, n int) []byte {
	h := mix64(st.k ^ uint64(j)*0x9e3779b97f4a7c15)
	switch st.theme {
	case ftDocs:
		b = appendWords(b, j, st.p1, st.p2, st.sep, false)
		return append(b, docExts[h%uint64(len(docExts))]...)
	case ftParquet:
		if j == n-1 && n > 1 {
			return append(b, "_SUCCESS"...)
		}
		switch st.variant % 3 {
		case 0:
			b = append(b, "part-"...)
			b = appendPad(b, int64(j), 5)
			b = append(b, '-')
			u := st.k
			b = appendHex(b, u, 8)
			b = append(b, '-')
			b = appendHex(b, mix64(u+1), 4)
			b = append(b, '-')
			b = appendHex(b, mix64(u+2), 4)
			b = append(b, '-')
			b = appendHex(b, mix64(u+3), 4)
			b = append(b, '-')
			b = appendHex(b, mix64(u+4), 12)
			return append(b, "-c000.snappy.parquet"...)
		case 1:
			b = append(b, "part-"...)
			b = appendPad(b, int64(j), 5)
			return append(b, ".parquet"...)
		default:
			b = append(b, "part-r-"...)
			b = appendPad(b, int64(j), 5)
			return append(b, ".gz.parquet"...)
		}
	case ftPhotos:
		t := st.base + int64(j)*97 + int64(h%97)
		switch st.variant % 3 {
		case 0:
			b = append(b, "IMG_"...)
			b = appendStamp(b, t, '_')
			return append(b, photoExts[h>>8%uint64(len(photoExts))]...)
		case 1:
			b = append(b, "PXL_"...)
			b = appendStamp(b, t, '_')
			b = appendPad(b, int64(h>>16%1000), 3)
			return append(b, ".jpg"...)
		default:
			b = append(b, "DSC_"...)
			b = appendPad(b, int64(j+1), 4)
			return append(b, ".JPG"...)
		}
	case ftModel:
		switch st.variant % 3 {
		case 0:
			b = append(b, "model-"...)
		case 1:
			b = append(b, "pytorch_model-"...)
		default:
			b = append(b, "shard-"...)
		}
		b = appendPad(b, int64(j+1), 5)
		b = append(b, "-of-"...)
		b = appendPad(b, int64(n), 5)
		if st.variant%3 == 1 {
			return append(b, ".bin"...)
		}
		return append(b, ".safetensors"...)
	case ftSource:
		ext := srcExts[st.variant%len(srcExts)]
		if ext == ".py" {
			if j == 0 {
				return append(b, "__init__.py"...)
			}
			j--
		}
		if ext == ".c" && h&1 == 0 {
			ext = ".h"
		}
		b = appendWords(b, j, st.p1, st.p2, '_', ext == ".java")
		return append(b, ext...)
	case ftLogs:
		app := words[st.p1.at(0)]
		b = append(b, app...)
		if st.variant%2 == 0 {
			b = append(b, '-')
			b = appendDate(b, st.base+int64(j)*3600, true)
			b = append(b, ".log"...)
			if j < n-2 {
				b = append(b, ".gz"...)
			}
			return b
		}
		b = append(b, ".log"...)
		if j > 0 {
			b = append(b, '.')
			b = strconv.AppendInt(b, int64(j), 10)
		}
		return b
	case ftObjects:
		x := mix64(st.k ^ uint64(j)) // a bijection of j: 16 unique hex digits
		switch st.variant % 3 {
		case 0:
			return appendHex(b, x, 38)
		case 1:
			return appendHex(b, x, 64)
		default:
			b = appendHex(b, x, 32)
			return append(b, ".blob"...)
		}
	default:
		f := numberedFmt[st.variant%len(numberedFmt)]
		b = append(b, f.pre...)
		b = appendPad(b, int64(j), f.width)
		return append(b, f.ext...)
	}
}

// Subdirectory themes: what the subdirectories of one directory look like.
const (
	dtWords = iota
	dtHive
	dtCheckpoint
	dtUsers
	dtHex2
	dtRuns
	dtNumbered
	dtVersions
	numDirThemes
)

var dirThemeWeights = []float64{0.45, 0.10, 0.05, 0.05, 0.05, 0.08, 0.12, 0.10}

var dirNumbered = []struct {
	pre   string
	width int
}{{"shard-", 5}, {"batch_", 4}, {"", 3}, {"epoch_", 3}, {"group", 2}}

// dirName appends the name of subdirectory k of n, theme th, key dk.
func dirName(b []byte, th int, dk uint64, k, n int) []byte {
	h := mix64(dk ^ uint64(k)*0x9e3779b97f4a7c15)
	v := int(dk >> 40)
	switch th {
	case dtHive:
		base := int64(1420070400 + dk%(9*365*86400)) // 2015..2023
		switch v % 3 {
		case 0:
			b = append(b, "dt="...)
			return appendDate(b, base+int64(k)*86400, false)
		case 1:
			b = append(b, "year="...)
			return strconv.AppendInt(b, int64(2000+v%20+k), 10)
		default:
			t := time.Unix(base+int64(k)*86400, 0).UTC()
			b = append(b, "date="...)
			b = appendPad(b, int64(t.Year()), 4)
			b = appendPad(b, int64(t.Month()), 2)
			return appendPad(b, int64(t.Day()), 2)
		}
	case dtCheckpoint:
		step := []int{500, 1000, 3000, 250, 2000}[v%5]
		b = append(b, "checkpoint-"...)
		return strconv.AppendInt(b, int64((k+1)*step), 10)
	case dtUsers:
		b = append(b, "user"...)
		return appendPad(b, int64(k+v%1000), 4)
	case dtHex2:
		if n <= 256 {
			return appendHex(b, uint64(newPerm8(dk).at(k))<<56, 2)
		}
	case dtRuns:
		b = append(b, "run_"...)
		base := int64(1500000000 + dk%(7*365*86400))
		return appendStamp(b, base+int64(k)*7919+int64(h%7919), '_')
	case dtNumbered:
		f := dirNumbered[v%len(dirNumbered)]
		b = append(b, f.pre...)
		return appendPad(b, int64(k), f.width)
	case dtVersions:
		b = append(b, 'v')
		return strconv.AppendInt(b, int64(k+1), 10)
	}
	return appendWords(b, k, newPerm8(dk), newPerm8(dk>>16), "-_"[v&1], false)
}
