package fsmeta

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsmeta/fsmeta/core/tree"
)

// The background compactor: every CompactAfter/2 it runs a compaction pass
// (tree.CompactStep) over the directories not changed since the previous
// pass, so a directory goes cold after CompactAfter/2 to CompactAfter of
// quiet. A pass works in steps of about 1,000 entries and at most ~2 ms
// (tree.CompactOptions.MaxStep), each under the write lock alone (a request
// waits at most one step), and sleeps ten times as long as each step took,
// so that it uses less than a tenth of a core however large the namespace.
// "Took" is the longer of the step's wall time and the CPU the process used
// meanwhile (on Unix), which counts the collector's work the step caused;
// under load the process's CPU makes it back off further. (Steps are mostly
// CPU since blocks are compressed against a dictionary: sleeping nine times
// the wall time, the compactor used 10.3-10.4% of a core on 10M entries.)
type compactor struct {
	quit    chan struct{}
	wg      sync.WaitGroup
	passes  atomic.Int64
	steps   atomic.Int64
	longest atomic.Int64 // ns
	slow    atomic.Int64 // steps over 5 ms
}

// CompactorStats report the background compactor's work since Open.
type CompactorStats struct {
	Passes, Steps int64
	// LongestStep is the longest time a step held the write lock (what a
	// request could wait for it), and SlowSteps the steps that held it
	// over 5 ms (a step ends after 2 ms of work; the rest is the host:
	// preemption, the collector).
	LongestStep time.Duration
	SlowSteps   int64
}

// CompactorStats reports the background compactor's work (zeros when it
// is off).
func (db *DB) CompactorStats() CompactorStats {
	c := db.compactor
	if c == nil {
		return CompactorStats{}
	}
	return CompactorStats{Passes: c.passes.Load(), Steps: c.steps.Load(), LongestStep: time.Duration(c.longest.Load()), SlowSteps: c.slow.Load()}
}

const defaultCompactAfter = 30 * time.Second

func (db *DB) startCompactor(after time.Duration) {
	if after < 0 {
		return
	}
	if after == 0 {
		after = defaultCompactAfter
	}
	c := &compactor{quit: make(chan struct{})}
	db.compactor = c
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		period := max(after/2, 10*time.Millisecond)
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-c.quit:
				return
			case <-tick.C:
			}
			for {
				t0, cpu0 := time.Now(), processCPU()
				st := db.tree().CompactStep(tree.CompactOptions{Budget: 1000})
				d := st.Held
				c.steps.Add(1)
				if d > 5*time.Millisecond {
					c.slow.Add(1)
				}
				for old := c.longest.Load(); int64(d) > old && !c.longest.CompareAndSwap(old, int64(d)); old = c.longest.Load() {
				}
				if st.Done {
					c.passes.Add(1)
					break
				}
				select {
				case <-c.quit:
					return
				case <-time.After(10 * max(time.Since(t0), processCPU()-cpu0)):
				}
			}
		}
	}()
}

func (c *compactor) stop() {
	if c == nil {
		return
	}
	close(c.quit)
	c.wg.Wait()
}
