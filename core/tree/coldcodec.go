package tree

import (
	"sync"

	"github.com/fsmeta/fsmeta/core/compact"
)

// Cold blocks' encoding: compression, the block dictionary, and the
// decoding buffers lent to reads.

// Cold blocks are compressed with s2: measured on 64-entry blocks of the
// synthetic namespace, 33.4 bytes an entry and 5.1 µs a decode, against
// zstd's 31.2 and 8.6 µs (core/compact's benchmarks); a cold lookup decodes
// one block, and its latency is the figure that matters more.
//
// Once the blocks made so far have given dictSample bytes of samples (one
// block in dictEvery: their names, name lengths, attributes and extras),
// the tree makes an s2 dictionary of them, and every later block is
// compressed against it: a block of ~30 entries has too little of its own to
// match, the namespace's names repeat across blocks. On the synthetic
// namespace: 28.4 bytes an entry against 31.6 (BenchmarkWorkload s2-dict),
// for about 0.6 µs more a decode (core/compact decodes such blocks with its
// own decoder; the library's took 1 µs more). Encoding against it costs
// about 14 µs more a block (the library clears its match tables). The
// dictionary is made once and kept for the tree's life (blocks live in
// memory only; a restore samples anew).
const dictEvery = 4

// dictSample is CompactOptions.DictSample's default (tests lower it).
var dictSample = 64 << 10

// encodeBlock appends the block of ents to dst.
func (t *Tree) encodeBlock(dst []byte, ents []compact.Entry) ([]byte, error) {
	o := compact.Options{Compression: compact.S2, Dict: t.dict.Load()}
	sampling := o.Dict == nil && t.dictAt > 0
	if sampling {
		if t.dictSeen++; t.dictSeen%dictEvery == 1 {
			o.Sample = &t.dictBuf
		}
	}
	dst, err := compact.Encode(dst, ents, o)
	if sampling && len(t.dictBuf) >= t.dictAt {
		d, derr := compact.NewDict(1, t.dictBuf)
		t.dictBuf = nil
		if derr != nil {
			t.dictAt = -1 // cannot be: the sample is large enough
		} else {
			t.dict.Store(d)
		}
	}
	return dst, err
}

// decodeBlock decodes block b of a handle. The blocks were written by freeze:
// an error means memory corruption, which fsck reports.
func (t *Tree) decodeBlock(b *coldBlk) (*compact.Block, error) {
	blk := &compact.Block{Dict: t.dict.Load()}
	if err := blk.DecodeInto(t.a.Bytes(b.ref, int(b.n))); err != nil {
		return nil, err
	}
	return blk, nil
}

// lendBlock returns a decoding buffer of blockPool for t's blocks (give it
// back with blockPool.Put).
func (t *Tree) lendBlock() *compact.Block {
	blk := blockPool.Get().(*compact.Block)
	blk.Dict = t.dict.Load()
	return blk
}

// blockPool lends decoding buffers to point lookups and listings. They
// skip the blocks' checksum (a quarter of a cold lookup's time): the blocks
// are the tree's own memory, the decoder checks every bound anyway, and
// fsck and thawing verify it.
var blockPool = sync.Pool{New: func() any { return &compact.Block{NoChecksum: true} }}
