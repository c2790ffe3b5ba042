package fsmeta_test

import (
	"path/filepath"
	"testing"

	"github.com/fsmeta/fsmeta/internal/scenario"
)

// TestScenario runs every testdata/*.scn file (testdata/README.md) against a
// fresh in-memory DB, then checks the DB with Fsck.
func TestScenario(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*.scn"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenario files in ../testdata")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := scenario.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			db, errs := scenario.Run(f)
			for _, e := range errs {
				t.Error(e)
			}
			if db == nil {
				return
			}
			defer db.Close()
			if err := db.Fsck(); err != nil {
				t.Errorf("%s: fsck after the last line: %v", f.Name, err)
			}
		})
	}
}
