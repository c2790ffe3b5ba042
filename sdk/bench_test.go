package fsmeta_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// Benchmarks of the hot operations on a namespace of benchDirs directories of
// benchPerDir files each (100k files), built once and shared by the read
// benchmarks. Targets are random: a shuffled list walked in order, so the
// loop itself costs no random number generation.

const (
	benchDirs   = 100
	benchPerDir = 1000
)

type benchTarget struct {
	parent fsmeta.Ino
	name   string
	ino    fsmeta.Ino
}

var bench struct {
	once    sync.Once
	db      *fsmeta.DB
	err     error
	dirs    []fsmeta.Ino
	targets []benchTarget // every file, shuffled
}

func benchNS(b *testing.B) {
	b.Helper()
	bench.once.Do(func() {
		db, err := fsmeta.Open(fsmeta.Options{InMemory: true})
		if err != nil {
			bench.err = err
			return
		}
		bench.db = db
		caller := &fsmeta.Caller{Uid: 1000, Gid: 1000, Umask: 0o022}
		top, err := db.Mkdir(nil, meta.RootIno, "bench", 0o777)
		if err != nil {
			bench.err = err
			return
		}
		for d := 0; d < benchDirs; d++ {
			dir, err := db.Mkdir(caller, top.Ino, fmt.Sprintf("dir%03d", d), 0o755)
			if err != nil {
				bench.err = err
				return
			}
			bench.dirs = append(bench.dirs, dir.Ino)
			for f := 0; f < benchPerDir; f++ {
				name := fmt.Sprintf("part-%05d.parquet", f)
				at, err := db.Create(caller, dir.Ino, name, 0o644)
				if err != nil {
					bench.err = err
					return
				}
				bench.targets = append(bench.targets, benchTarget{dir.Ino, name, at.Ino})
			}
		}
		rng := rand.New(rand.NewPCG(7, 7))
		rng.Shuffle(len(bench.targets), func(i, j int) {
			bench.targets[i], bench.targets[j] = bench.targets[j], bench.targets[i]
		})
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
}

var benchCaller = &fsmeta.Caller{Uid: 1000, Gid: 1000, Umask: 0o022}

func BenchmarkLookup(b *testing.B) {
	benchNS(b)
	db, ts := bench.db, bench.targets
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := &ts[i%len(ts)]
		if _, err := db.Lookup(benchCaller, t.parent, t.name); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetAttr(b *testing.B) {
	benchNS(b)
	db, ts := bench.db, bench.targets
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := db.GetAttr(benchCaller, ts[i%len(ts)].ino); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetAttrParallel runs getattr from every P at once (the read path
// shares the engine without a hand-off).
func BenchmarkGetAttrParallel(b *testing.B) {
	benchNS(b)
	db, ts := bench.db, bench.targets
	var seed atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(7919)) % len(ts)
		for pb.Next() {
			if _, err := db.GetAttr(benchCaller, ts[i].ino); err != nil {
				b.Error(err)
				return
			}
			if i++; i == len(ts) {
				i = 0
			}
		}
	})
}

// BenchmarkReadDir lists a whole random directory of 1000 entries per
// operation, without and with attributes.
func BenchmarkReadDir(b *testing.B) {
	benchNS(b)
	for _, plus := range []bool{false, true} {
		b.Run(fmt.Sprintf("plus=%v", plus), func(b *testing.B) {
			db, dirs := bench.db, bench.dirs
			rng := rand.New(rand.NewPCG(3, 4))
			order := rng.Perm(len(dirs))
			entries := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				dir := dirs[order[i%len(order)]]
				for cursor := uint64(0); ; {
					ents, next, err := db.ReadDir(benchCaller, dir, cursor, 1000, plus)
					if err != nil {
						b.Fatal(err)
					}
					entries += len(ents)
					if next == 0 {
						break
					}
					cursor = next
				}
			}
			if b.N > 0 {
				b.ReportMetric(float64(entries)/float64(b.N), "entries/op")
			}
		})
	}
}

// BenchmarkCreate creates files in fresh directories of 100k entries each
// (a namespace of its own, so the read benchmarks' namespace stays fixed).
func BenchmarkCreate(b *testing.B) {
	db, err := fsmeta.Open(fsmeta.Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	names := make([]string, 100_000)
	for i := range names {
		names[i] = fmt.Sprintf("part-%05d.parquet", i)
	}
	var dir fsmeta.Ino
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%len(names) == 0 {
			at, err := db.Mkdir(nil, meta.RootIno, fmt.Sprintf("d%d", i/len(names)), 0o777)
			if err != nil {
				b.Fatal(err)
			}
			dir = at.Ino
		}
		if _, err := db.Create(benchCaller, dir, names[i%len(names)], 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
