package scenario

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// The deterministic clock: the DB is opened at T0, and every operation line
// runs at T0 + n*Tick, n counting the operation lines run so far (1, 2, ...).
// All repetitions of a repeat line share one time.
const (
	T0   int64 = 1_700_000_000_000_000_000
	Tick int64 = 1_000_000_000
)

// MaxFailures is how many failures Run reports before it stops.
const MaxFailures = 50

type runner struct {
	f     *File
	db    *fsmeta.DB
	fsck  func() error // the fsck line: db.Fsck, or the server's for a remote DB
	now   int64
	users map[string]*meta.Caller
	cur   *meta.Caller
	vars  map[string]uint64
	errs  []error
}

// badScenario is an error of the scenario itself (an unresolvable path, an
// unknown variable, a malformed argument), not of the engine.
type badScenario struct{ msg string }

func (e *badScenario) Error() string { return e.msg }

func bad(format string, a ...any) error { return &badScenario{fmt.Sprintf(format, a...)} }

// Run opens a fresh in-memory DB with the deterministic clock and the file's
// options, runs every line of f against it, and returns the DB (still open,
// so the caller can run Fsck and Close it) and the failures, each prefixed
// with file:line. It stops after MaxFailures failures.
func Run(f *File) (*fsmeta.DB, []error) {
	return RunWith(f, func(opts fsmeta.Options) (*fsmeta.DB, func() error, error) {
		db, err := fsmeta.Open(opts)
		if err != nil {
			return nil, nil, err
		}
		return db, db.Fsck, nil
	})
}

// Opener opens the DB a scenario runs against, from the options Run would
// use (in memory, the runner's clock, the file's options): the engine
// itself, or a client of a server that has them. fsck checks the engine's
// state (for a client, the server's).
type Opener func(opts fsmeta.Options) (db *fsmeta.DB, fsck func() error, err error)

// RunWith is Run on the DB open gives.
func RunWith(f *File, open Opener) (*fsmeta.DB, []error) {
	r := &runner{f: f, now: T0, vars: map[string]uint64{},
		users: map[string]*meta.Caller{"root": {}}}
	r.cur = r.users["root"]
	opts := fsmeta.Options{InMemory: true, Clock: func() int64 { return r.now }}
	opts.MaxInodes = f.Options["maxinodes"]
	opts.Capacity = f.Options["capacity"]
	db, fsck, err := open(opts)
	if err != nil {
		return nil, []error{fmt.Errorf("%s: open: %v", f.Name, err)}
	}
	r.db, r.fsck = db, fsck
	tick := int64(0)
	for _, ln := range f.Lines {
		if len(r.errs) >= MaxFailures {
			r.errs = append(r.errs, fmt.Errorf("%s: too many failures, stopped", f.Name))
			break
		}
		switch ln.Kind {
		case "user":
			c, _ := parseCaller(ln.Args[1:])
			r.users[ln.Args[0]] = c
		case "as":
			c, err := r.callerOf(ln.Args)
			if err != nil {
				r.fail(ln, "%v", err)
				continue
			}
			r.cur = c
		case "op":
			tick++
			r.now = T0 + tick*Tick
			r.runOp(ln)
		}
	}
	return db, r.errs
}

func (r *runner) fail(ln *Line, format string, a ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s:%d: %s\n\t%s", r.f.Name, ln.Num, fmt.Sprintf(format, a...), strings.TrimSpace(ln.Text)))
}

func (r *runner) callerOf(args []string) (*meta.Caller, error) {
	if len(args) == 1 && !strings.Contains(args[0], "=") {
		c, ok := r.users[args[0]]
		if !ok {
			return nil, fmt.Errorf("unknown user %q", args[0])
		}
		return c, nil
	}
	return parseCaller(args)
}

// parseCaller reads uid=N gid=N [groups=N,N...] [umask=N].
func parseCaller(toks []string) (*meta.Caller, error) {
	c := &meta.Caller{}
	for _, t := range toks {
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			return nil, fmt.Errorf("caller: %q is not KEY=VALUE", t)
		}
		if k == "groups" {
			for _, g := range strings.Split(v, ",") {
				if g == "" {
					continue
				}
				n, err := parseUint(g)
				if err != nil || n > 1<<32-1 {
					return nil, fmt.Errorf("caller: bad group %q", g)
				}
				c.Groups = append(c.Groups, uint32(n))
			}
			continue
		}
		n, err := parseUint(v)
		if err != nil || n > 1<<32-1 {
			return nil, fmt.Errorf("caller: bad number in %q", t)
		}
		switch k {
		case "uid":
			c.Uid = uint32(n)
		case "gid":
			c.Gid = uint32(n)
		case "umask":
			c.Umask = uint32(n)
		default:
			return nil, fmt.Errorf("caller: unknown key %q", k)
		}
	}
	return c, nil
}

func isErrnoName(s string) bool {
	_, ok := meta.ErrnoByName(s)
	return ok
}

func (r *runner) runOp(ln *Line) {
	c := r.cur
	if ln.Caller != "" {
		var ok bool
		if c, ok = r.users[ln.Caller]; !ok {
			r.fail(ln, "unknown user %q", ln.Caller)
			return
		}
	}
	for i := 0; i < ln.Repeat; i++ {
		idx := -1
		if ln.Repeat > 1 {
			idx = i
		}
		res, err := r.exec(ln, c, idx)
		var bs *badScenario
		if errors.As(err, &bs) {
			r.fail(ln, "scenario error: %v", bs)
			return
		}
		at := ""
		if idx >= 0 {
			at = fmt.Sprintf(" (repetition %d)", idx)
		}
		got := "ok"
		if err != nil {
			got = fsmeta.ErrnoOf(err).Name()
			if fsmeta.ErrnoOf(err) == 0 {
				got = err.Error()
			}
		}
		if got != ln.Want {
			r.fail(ln, "%s%s: got %s, want %s", ln.Op, at, got, ln.Want)
			return
		}
		if err != nil {
			continue
		}
		for _, ck := range ln.Checks {
			if msg := r.check(ln, &res, ck, idx); msg != "" {
				r.fail(ln, "%s%s: %s", ln.Op, at, msg)
				return
			}
		}
	}
}
