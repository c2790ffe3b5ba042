package fsmeta_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// TestListingAfterClose: once the DB is closed, the next DirIter.Next
// returns false with ErrClosed, whatever the iterator holds (a large
// directory's batch) and also after the end of a small one (issue #19
// defect 3).
func TestListingAfterClose(t *testing.T) {
	for _, files := range []int{0, 3, 5000} {
		for _, atEnd := range []bool{false, true} {
			db, err := fsmeta.Open(fsmeta.Options{InMemory: true})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < files; i++ {
				if _, err := db.Create(nil, meta.RootIno, "f"+strconv.Itoa(i), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			it, err := db.OpenDir(nil, meta.RootIno, true)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			if files > 0 {
				if _, ok := it.Next(); !ok {
					t.Fatal(it.Err())
				}
				n++
			}
			if atEnd {
				for _, ok := it.Next(); ok; _, ok = it.Next() {
					n++
				}
				if it.Err() != nil || n != files {
					t.Fatalf("%d files: listed %d, err %v", files, n, it.Err())
				}
			}
			db.Close()
			for range 2 {
				if e, ok := it.Next(); ok || !errors.Is(it.Err(), fsmeta.ErrClosed) {
					t.Errorf("%d files, at the end %v: Next after Close = %v, %v, err %v; want false, ErrClosed", files, atEnd, e.Name, ok, it.Err())
				}
			}
			it.Close()
		}
	}
}
