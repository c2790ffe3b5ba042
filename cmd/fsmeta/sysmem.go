package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// procStatus returns fields of /proc/self/status in bytes (VmRSS, VmHWM, ...);
// 0 when unavailable (not Linux).
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			fs := strings.Fields(rest)
			if len(fs) >= 1 {
				n, _ := strconv.ParseUint(fs[0], 10, 64)
				if len(fs) >= 2 && fs[1] == "kB" {
					n *= 1024
				}
				return n
			}
		}
	}
	return 0
}

// memReport is the "memory" object of the report.
type memReport struct {
	RSSBytes           uint64  `json:"rss_bytes"`
	ArenaBytes         uint64  `json:"arena_bytes"`
	GoHeapBytes        uint64  `json:"go_heap_bytes"`
	BytesPerEntryRSS   float64 `json:"bytes_per_entry_rss"`
	BytesPerEntryArena float64 `json:"bytes_per_entry_arena"`
	CompressedDirs     uint64  `json:"compressed_dirs"`
	CompressedEntries  uint64  `json:"compressed_entries"`
	// CompressedBytes is the exact size of the cold directories' blocks and
	// handles (before the arena's size-class rounding)
	CompressedBytes uint64 `json:"compressed_bytes"`
	// CompressedGroups blocks are shared by several small directories
	CompressedGroups uint64 `json:"compressed_groups"`
	// CompressedDict is the size of the blocks' dictionary (Go heap)
	CompressedDict uint64 `json:"compressed_dict_bytes"`
	// CompressedStubs cold directories have their records in their
	// parents' blocks (a 16-byte stub each in the inode table)
	CompressedStubs uint64 `json:"compressed_stubs"`
	// more detail
	RSSPeakBytes        uint64            `json:"rss_peak_bytes"`
	RSSAnonBytes        uint64            `json:"rss_anon_bytes"` // RSS of private memory (arena, Go heap)
	RSSFileBytes        uint64            `json:"rss_file_bytes"` // RSS of mapped files (the binary, a mapped listing)
	ArenaInUseBytes     uint64            `json:"arena_in_use_bytes"`
	ArenaCommittedBytes uint64            `json:"arena_committed_bytes"`
	ArenaByPurpose      map[string]uint64 `json:"arena_by_purpose"`
	GoHeapSysBytes      uint64            `json:"go_heap_sys_bytes"`
	GoHeapInuseBytes    uint64            `json:"go_heap_inuse_bytes"`    // spans with live objects (what fragmentation keeps)
	GoHeapReleasedBytes uint64            `json:"go_heap_released_bytes"` // returned to the system
	GoSysBytes          uint64            `json:"go_sys_bytes"`
	GoHeapObjects       uint64            `json:"go_heap_objects"`
	AttrDict            uint64            `json:"attr_dict"`
	// slabs of small objects by zone (records, cold, other): what they
	// hold against what they take (fragmentation)
	ArenaZones map[string]zoneUse `json:"arena_zones"`
}

type zoneUse struct {
	SlabBytes uint64 `json:"slab_bytes"`
	LiveBytes uint64 `json:"live_bytes"`
	Classes   int    `json:"classes"`
}

type gcReport struct {
	MaxPauseNs  int64  `json:"max_pause_ns"`
	ForcedGCNs  int64  `json:"forced_gc_ns"`
	NumGC       uint32 `json:"num_gc"`
	PauseTotNs  int64  `json:"pause_total_ns"`
	GOGC        string `json:"gogc,omitempty"`
	GOMEMLIMIT  string `json:"gomemlimit,omitempty"`
	PauseSource string `json:"max_pause_source"`
}

// measureMemory forces a GC (timed), returns the memory to the OS and reads
// the figures. entries divides the per-entry figures.
func measureMemory(db *fsmeta.DB, entries int64) (memReport, time.Duration) {
	t0 := time.Now()
	runtime.GC()
	forced := time.Since(t0)
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := db.Stats()
	m := memReport{
		RSSBytes:            procStatus("VmRSS"),
		RSSPeakBytes:        procStatus("VmHWM"),
		RSSAnonBytes:        procStatus("RssAnon"),
		RSSFileBytes:        procStatus("RssFile"),
		ArenaBytes:          st.Arena.Slabs,
		ArenaInUseBytes:     st.Arena.InUse,
		ArenaCommittedBytes: st.Arena.Committed,
		ArenaByPurpose:      map[string]uint64{},
		GoHeapBytes:         ms.HeapAlloc,
		GoHeapSysBytes:      ms.HeapSys,
		GoHeapInuseBytes:    ms.HeapInuse,
		GoHeapReleasedBytes: ms.HeapReleased,
		GoSysBytes:          ms.Sys,
		GoHeapObjects:       ms.HeapObjects,
		AttrDict:            st.AttrDict,
		CompressedDirs:      st.ColdDirs,
		CompressedEntries:   st.ColdEntries,
		CompressedBytes:     st.ColdBytes,
		CompressedGroups:    st.ColdGroups,
		CompressedDict:      st.ColdDict,
		CompressedStubs:     st.ColdStubs,
	}
	m.ArenaZones = map[string]zoneUse{}
	for _, c := range db.ArenaClasses() {
		z := m.ArenaZones[c.Zone]
		z.SlabBytes += uint64(c.Slabs) * fsmeta.ArenaSlabBytes
		z.LiveBytes += c.Live * uint64(c.Size)
		z.Classes++
		m.ArenaZones[c.Zone] = z
	}
	for i, b := range st.Arena.ByPurpose {
		if b > 0 {
			m.ArenaByPurpose[purposeName(i)] = b
		}
	}
	if entries > 0 {
		m.BytesPerEntryRSS = round2(float64(m.RSSBytes) / float64(entries))
		m.BytesPerEntryArena = round2(float64(m.ArenaBytes) / float64(entries))
	}
	return m, forced
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// minPerEntry is the fewest entries for which the text reports give memory
// per entry: below it the process's own memory (the Go runtime, the binary:
// about 10 MiB) and the arena's slabs (256 KiB per size class in use)
// dominate, and the quotient says nothing about the engine (docs/bench.md).
const minPerEntry = 100_000

// perEntry formats a memory figure and, for a namespace of at least
// minPerEntry entries, its share per entry.
func perEntry(b uint64, per float64, entries int64) string {
	if entries < minPerEntry {
		return bytesIEC(b)
	}
	return fmt.Sprintf("%s = %.1f B/entry", bytesIEC(b), per)
}

// perEntryNote says why a report of entries gives no figure per entry.
func perEntryNote(entries int64) string {
	if entries < minPerEntry {
		return fmt.Sprintf(" (B/entry n/a under %s entries)", commas(minPerEntry))
	}
	return ""
}

// gcWatch tracks the longest GC pause of the whole run: debug.GCStats keeps
// the exact pauses of the last 256 cycles, so it is polled often enough
// never to miss one; the runtime/metrics histogram of stop-the-world GC
// pauses covers every pause (to its bucket's resolution) as a cross-check.
type gcWatch struct {
	mu       sync.Mutex
	maxPause time.Duration
	stop     chan struct{}
	done     chan struct{}
}

func startGCWatch() *gcWatch {
	w := &gcWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			w.poll()
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *gcWatch) poll() {
	var s debug.GCStats
	debug.ReadGCStats(&s)
	w.mu.Lock()
	for _, p := range s.Pause {
		w.maxPause = max(w.maxPause, p)
	}
	w.mu.Unlock()
}

// report stops the watch and returns the figures (forced: the forced GC's time).
func (w *gcWatch) report(forced time.Duration) gcReport {
	close(w.stop)
	<-w.done
	w.poll()
	var s debug.GCStats
	debug.ReadGCStats(&s)
	r := gcReport{MaxPauseNs: int64(w.maxPause), ForcedGCNs: int64(forced), NumGC: uint32(s.NumGC),
		PauseTotNs: int64(s.PauseTotal), PauseSource: "debug.GCStats",
		GOGC: os.Getenv("GOGC"), GOMEMLIMIT: os.Getenv("GOMEMLIMIT")}
	if h := pauseHistogramMax(); h > r.MaxPauseNs {
		r.MaxPauseNs, r.PauseSource = h, "runtime/metrics /sched/pauses/total/gc:seconds (bucket lower bound)"
	}
	return r
}

// pauseHistogramMax returns the lower bound of the highest non-empty bucket
// of the GC pause histogram, in ns (0 if unavailable).
func pauseHistogramMax() int64 {
	for _, name := range []string{"/sched/pauses/total/gc:seconds", "/gc/pauses:seconds"} {
		s := []metrics.Sample{{Name: name}}
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindFloat64Histogram {
			continue
		}
		h := s[0].Value.Float64Histogram()
		for i := len(h.Counts) - 1; i >= 0; i-- {
			if h.Counts[i] > 0 {
				lo := h.Buckets[i]
				if math.IsInf(lo, -1) || lo < 0 {
					return 0
				}
				return int64(lo * 1e9)
			}
		}
		return 0
	}
	return 0
}
