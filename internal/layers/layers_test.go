// Package layers holds the test of the import rule of docs/architecture.md:
// java, python -> include -> capi -> sdk -> core, and inside core, meta,
// arena and compact below tree below fsm. It has no code of its own.
package layers

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/fsmeta/fsmeta/"

// allowed lists, for each package of the module, the module's packages it
// may import (a prefix ending in "/" allows every package under it). A
// package missing from the table fails the test: a new package states its
// place in the layers here and in docs/architecture.md.
var allowed = map[string][]string{
	"core/meta":          {},
	"core/arena":         {},
	"core/compact":       {},
	"core/tree":          {"core/arena", "core/compact", "core/meta"},
	"core/fsm":           {"core/meta", "core/tree"},
	"core/cluster":       {"core/fsm", "core/meta"},
	"sdk":                {"core/"},
	"capi":               {"sdk"},
	"cmd/fsmeta":         {"sdk", "internal/dump", "internal/workload"},
	"cmd/fsmeta-gen":     {"core/fsm"},
	"internal/model":     {"core/meta"},
	"internal/dump":      {"sdk", "core/meta"},
	"internal/scenario":  {"sdk", "core/meta"},
	"internal/workload":  {"sdk", "core/meta"},
	"internal/posixdiff": {"sdk", "core/meta"},
	"internal/layers":    {},
}

func TestImportRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{len .CgoFiles}} {{join .Imports \" \"}}", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(f[0], module)
		seen[pkg] = true
		rule, ok := allowed[pkg]
		if !ok {
			t.Errorf("%s: not in the table of layers (internal/layers and docs/architecture.md)", pkg)
			continue
		}
		if f[1] != "0" && pkg != "capi" {
			t.Errorf("%s uses cgo: only capi may", pkg)
		}
		for _, imp := range f[2:] {
			if imp == "C" && pkg != "capi" {
				t.Errorf("%s imports C", pkg)
			}
			if !strings.HasPrefix(imp, module) {
				continue
			}
			imp = strings.TrimPrefix(imp, module)
			if !permitted(rule, imp) {
				t.Errorf("%s imports %s, which the layers do not allow it (allowed: %v)", pkg, imp, rule)
			}
		}
	}
	var gone []string
	for pkg := range allowed {
		if !seen[pkg] {
			gone = append(gone, pkg)
		}
	}
	sort.Strings(gone)
	if len(gone) > 0 {
		t.Errorf("the table names packages that do not exist: %v", gone)
	}
}

func permitted(rule []string, imp string) bool {
	for _, r := range rule {
		if imp == r || strings.HasSuffix(r, "/") && strings.HasPrefix(imp, r) {
			return true
		}
	}
	return false
}
