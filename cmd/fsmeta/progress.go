package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether w is a terminal (a variable: tests replace it).
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// progressEvery is how often the status line is redrawn; with drawAtStart
// (tests), it is also drawn as soon as it starts.
var (
	progressEvery = 250 * time.Millisecond
	drawAtStart   = false
)

// progress prints a status line on a terminal while long work runs: for a
// load, entries loaded, the rate, and an ETA when the total is known
// (entries, or bytes of the listing); for work that counts nothing (opening
// a data directory, a snapshot, fsck), the time so far.
type progress struct {
	w          io.Writer
	label      string
	entries    *atomic.Int64
	total      int64 // entries expected, 0 if unknown
	bytes      *atomic.Int64
	totalBytes int64
	start      time.Time
	stop       chan struct{}
	wg         sync.WaitGroup
}

// startProgress starts the status line on w if it is a terminal; it returns
// nil (a no-op progress) otherwise.
func startProgress(w io.Writer, label string, entries *atomic.Int64, total int64, bytes *atomic.Int64, totalBytes int64) *progress {
	if !isTerminal(w) {
		return nil
	}
	p := &progress{w: w, label: label, entries: entries, total: total, bytes: bytes, totalBytes: totalBytes,
		start: time.Now(), stop: make(chan struct{})}
	p.wg.Add(1)
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer p.wg.Done()
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	if drawAtStart {
		p.print()
	}
	for {
		select {
		case <-p.stop:
			fmt.Fprint(p.w, "\r\x1b[K")
			return
		case <-t.C:
			p.print()
		}
	}
}

// startTimer starts a status line that shows label and the time so far.
func startTimer(w io.Writer, label string) *progress {
	return startProgress(w, label, nil, 0, nil, 0)
}

func (p *progress) print() {
	el := time.Since(p.start).Seconds()
	if p.entries == nil {
		fmt.Fprintf(p.w, "\r\x1b[K%s ... %.0fs", p.label, el)
		return
	}
	n := p.entries.Load()
	rate := float64(n) / el
	frac := -1.0
	if p.total > 0 {
		frac = float64(n) / float64(p.total)
	} else if p.totalBytes > 0 && p.bytes != nil {
		frac = float64(p.bytes.Load()) / float64(p.totalBytes)
	}
	s := fmt.Sprintf("\r\x1b[K%s: %s entries, %s/s, %.0fs", p.label, commas(n), si(rate), el)
	if frac > 0.001 && frac <= 1 {
		eta := el/frac - el
		s += fmt.Sprintf(", %.0f%%, ETA %.0fs", frac*100, eta)
	}
	fmt.Fprint(p.w, s)
}

// Stop ends the status line (nil-safe).
func (p *progress) Stop() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
}

// commas formats n with thousands separators.
func commas(n int64) string {
	s := fmt.Sprint(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return neg + string(out)
}

// si formats x with a k/M/G suffix.
func si(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.2fG", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}

// bytesIEC formats a byte count.
func bytesIEC(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}

// dur formats ns compactly (1.23µs, 45.6ms).
func dur(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", ns)
	case d < time.Millisecond:
		return fmt.Sprintf("%.2fµs", float64(ns)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(ns)/1e6)
	}
	return fmt.Sprintf("%.2fs", float64(ns)/1e9)
}
