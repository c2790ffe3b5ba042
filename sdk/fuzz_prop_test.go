package fsmeta_test

import (
	"testing"
)

// FuzzOps decodes the fuzz input into a sequence of operations (every choice
// of the property tests' generator is read from the input's bytes), runs it
// against the engine and the model, compares every result and the final
// state, and runs Fsck.
//
//	go test -run '^$' -fuzz '^FuzzOps$' -fuzztime 5m -fuzzminimizetime 2s ./sdk/
//
// (A propShort -fuzzminimizetime matters: the default minimizes every new input
// for up to a minute, and with inputs of this size that is most of the time.)
func FuzzOps(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("mkdir a; create a/f; rename a/f b; unlink b; rmdir a; open, write, close"))
	// A few inputs made from seeded runs of the generator's source, so that
	// the corpus starts with sequences that reach deep states.
	for seed := uint64(1); seed <= 4; seed++ {
		src := newPropRand(seed)
		b := make([]byte, 2048)
		for i := range b {
			b[i] = byte(src.u64())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		r, err := newPropRun(propModes[0], 0, &propBytes{b: data})
		if err != nil {
			t.Fatal(err)
		}
		defer r.close()
		if _, err := r.run(5000); err != nil {
			t.Fatal(err)
		}
	})
}
