package main

import (
	"errors"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsmeta/fsmeta/internal/workload"
)

// snapshotPhase measures what a snapshot costs the writers of a durable
// engine: every thread creates files in random directories, timing each
// create; after a warm-up a snapshot is taken (DB.Snapshot: the whole state
// written, the log truncated), and the threads go on until a while after it
// is done. It reports the snapshot's time and the creates that were under
// way during it: how many, their p99 and their longest wait (the stall a
// writer saw). -ops is not used: the phase lasts as long as the snapshot.
func (b *bench) snapshotPhase(def phaseDef) (phaseResult, error) {
	const warm, cool = 300 * time.Millisecond, 300 * time.Millisecond
	T := b.threads
	type sample struct{ start, dur int64 }
	lats := make([][]sample, T)
	pools := make([][]workload.Target, T)
	for t := 0; t < T; t++ {
		pools[t] = b.dirPool(def.name, t, poolMax/T)
	}
	var stop atomic.Bool
	var errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	runtime.GC()
	base := time.Now()
	b.gen++
	prefix := "s" + strconv.Itoa(b.gen) + "-"
	for t := 0; t < T; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			pool := pools[t]
			for i := 0; !stop.Load(); i++ {
				p := pool[i%len(pool)].Ino
				name := prefix + strconv.Itoa(t) + "-" + strconv.Itoa(i)
				t0 := time.Since(base)
				_, err := b.db.Create(nil, p, name, 0o644)
				lats[t] = append(lats[t], sample{int64(t0), int64(time.Since(base) - t0)})
				if err != nil {
					if errs.Add(1) == 1 {
						firstErr.Store(err.Error())
					}
				}
			}
		}(t)
	}
	time.Sleep(warm)
	s0 := int64(time.Since(base))
	serr := b.db.Snapshot()
	s1 := int64(time.Since(base))
	time.Sleep(cool)
	stop.Store(true)
	wg.Wait()
	el := time.Since(base)
	if serr != nil {
		return phaseResult{}, serr
	}
	r := phaseResult{Op: def.name, Threads: T, Seconds: el.Seconds(), SampleEvery: 1, About: def.about,
		SnapshotSeconds: float64(s1-s0) / 1e9}
	var all, during []int64
	for _, l := range lats {
		for _, s := range l {
			all = append(all, s.dur)
			if s.start+s.dur >= s0 && s.start <= s1 { // under way while the snapshot ran
				during = append(during, s.dur)
			}
		}
	}
	r.Ops = int64(len(all))
	r.OpsPerSec = round2(float64(r.Ops) / el.Seconds())
	r.Errors = errs.Load()
	if r.Errors > 0 {
		r.FirstError, _ = firstErr.Load().(string)
	}
	slices.Sort(all)
	slices.Sort(during)
	r.Samples = len(all)
	if len(all) == 0 {
		return r, errors.New("no create finished")
	}
	var sum int64
	for _, x := range all {
		sum += x
	}
	r.MeanNs = sum / int64(len(all))
	r.MaxNs = all[len(all)-1]
	r.P50Ns, r.P99Ns, r.P999Ns = pct(all, 0.50), pct(all, 0.99), pct(all, 0.999)
	r.SnapshotOps = int64(len(during))
	if len(during) > 0 {
		r.SnapshotP99Ns = pct(during, 0.99)
		r.SnapshotMaxNs = during[len(during)-1]
	}
	return r, nil
}
