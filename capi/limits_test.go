package main

import (
	"testing"

	"github.com/fsmeta/fsmeta/core/meta"
)

// TestLimitsCAPI: the C API's group and slice-list limits, in memory and
// durable mode (limitsharness.go).
func TestLimitsCAPI(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		if msg := limitsCAPI(dir); msg != "" {
			t.Errorf("dir %q: %s", dir, msg)
		}
	}
}

// TestLimitsHeader: the header's limits are the engine's.
func TestLimitsHeader(t *testing.T) {
	defs := headerDefines(t)
	for name, v := range map[string]int64{"FSMETA_GROUPS_MAX": meta.MaxGroups, "FSMETA_REPLACED_MAX": meta.MaxReplaced} {
		if got, ok := defs[name]; !ok || got != v {
			t.Errorf("%s = %d in fsmeta.h (present %v), %d in Go", name, got, ok, v)
		}
	}
}
