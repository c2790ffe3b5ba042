package fsmeta_test

import (
	"strconv"
	"sync"
	"testing"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// BenchmarkDurableCreate64: 64 concurrent callers creating files through the
// log (group commit). ops/s is the figure of issue 3.
func BenchmarkDurableCreate64(b *testing.B) {
	db, err := fsmeta.Open(fsmeta.Options{Dir: b.TempDir(), ArenaMaxBytes: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const callers = 64
	dirs := make([]fsmeta.Ino, callers)
	for g := range dirs {
		d, err := db.Mkdir(nil, fsmeta.RootIno, "g"+strconv.Itoa(g), 0o755)
		if err != nil {
			b.Fatal(err)
		}
		dirs[g] = d.Ino
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; i < b.N; i += callers {
				if _, err := db.Create(nil, dirs[g], strconv.Itoa(i), 0o644); err != nil {
					b.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
