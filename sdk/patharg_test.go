package fsmeta_test

import (
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// TestPathArgs: a path is checked before anything is walked, in memory and
// durable mode alike (issue #19 defects 2 and 7): a NUL anywhere in it is
// EINVAL (never looked up as a name holding a NUL), the empty path ENOENT
// (it names nothing, as stat("") on Linux; "/" is the root), and neither
// changes anything.
func TestPathArgs(t *testing.T) {
	for _, durable := range []bool{false, true} {
		opts := fsmeta.Options{InMemory: true}
		if durable {
			opts = fsmeta.Options{Dir: t.TempDir()}
		}
		db, err := fsmeta.Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MkdirAll(nil, "/x", 0o755); err != nil {
			t.Fatal(err)
		}
		nobody := &fsmeta.Caller{Uid: 1000, Gid: 1000}
		if _, err := db.Mkdir(nil, meta.RootIno, "closed", 0o700); err != nil {
			t.Fatal(err)
		}
		before := sum(t, db)
		for _, tc := range []struct {
			path string
			want meta.Errno
		}{
			{"/x\x00y", meta.EINVAL},
			{"x\x00", meta.EINVAL},
			{"\x00", meta.EINVAL},
			{"/missing/a\x00b", meta.EINVAL},
			{"/closed/a\x00b", meta.EINVAL}, // an argument, not EACCES from the walk
			{"", meta.ENOENT},
		} {
			for _, follow := range []bool{false, true} {
				if _, err := db.Resolve(nil, tc.path, follow); fsmeta.ErrnoOf(err) != tc.want {
					t.Errorf("durable=%v: Resolve(%q, %v) = %v, want %v", durable, tc.path, follow, err, tc.want)
				}
			}
			if _, err := db.Resolve(nobody, tc.path, false); fsmeta.ErrnoOf(err) != tc.want {
				t.Errorf("durable=%v: Resolve(%q) as a user = %v, want %v", durable, tc.path, err, tc.want)
			}
			if _, err := db.MkdirAll(nil, tc.path, 0o755); fsmeta.ErrnoOf(err) != tc.want {
				t.Errorf("durable=%v: MkdirAll(%q) = %v, want %v", durable, tc.path, err, tc.want)
			}
			if _, err := db.MkdirAll(nobody, tc.path, 0o755); fsmeta.ErrnoOf(err) != tc.want {
				t.Errorf("durable=%v: MkdirAll(%q) as a user = %v, want %v", durable, tc.path, err, tc.want)
			}
		}
		if after := sum(t, db); after != before {
			t.Errorf("durable=%v: refused paths changed the state", durable)
		}
		for _, p := range []string{"/", "//", ".", "/x/.."} {
			if a, err := db.Resolve(nil, p, false); err != nil || a.Ino != meta.RootIno {
				t.Errorf("Resolve(%q) = %v, %v; want the root", p, a.Ino, err)
			}
		}
		db.Close()
	}
}
