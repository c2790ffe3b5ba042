package workload

import (
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// TestLoadWhileCompacting: a load runs while the background compactor
// freezes what the load left idle a moment ago (creates and writes then
// thaw it): every operation succeeds and fsck passes.
func TestLoadWhileCompacting(t *testing.T) {
	files := int64(envInt("FSMETA_TEST_FILES", 300_000))
	if testing.Short() {
		files = 60_000
	}
	db, err := fsmeta.Open(fsmeta.Options{InMemory: true, CompactAfter: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n atomic.Int64
	if _, _, err := LoadSynth(db, NewSynth(7, files), &n); err != nil {
		t.Fatal(err)
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	t.Logf("cold: %d dirs, %d entries", db.Stats().ColdDirs, db.Stats().ColdEntries)
}

func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}
