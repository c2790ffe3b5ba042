package fsmeta_test

import (
	"os"
	"strconv"
	"path/filepath"
	"testing"
	"time"
)

func TestScratchProp(t *testing.T) {
	dir := os.ExpandEnv("$HOME/.cache/go-build/fuzz/github.com/fsmeta/fsmeta/sdk/FuzzOps")
	files, _ := filepath.Glob(dir + "/*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		t0 := time.Now()
		data := decodeCorpus(b)
		r, _ := newPropRun(propModes[0], 0, &propBytes{b: data})
		n, err := r.run(5000)
		r.close()
		t.Logf("%s: %d bytes, %d ops, %v, %v", filepath.Base(f), len(data), n, time.Since(t0), err)
	}
}

func decodeCorpus(b []byte) []byte {
	// go test fuzz v1\n[]byte("...")
	s := string(b)
	i := len("go test fuzz v1\n[]byte(")
	if len(s) < i {
		return nil
	}
	var out []byte
	q := s[i : len(s)-2]
	v, err := strconvUnquote(q)
	if err == nil {
		out = []byte(v)
	}
	return out
}

func strconvUnquote(s string) (string, error) { return strconv.Unquote(s) }
