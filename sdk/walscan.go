package fsmeta

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// The tail segment, checked before raft-wal reads it. raft-wal finds the end
// of its unsealed (tail) segment by walking frames until one looks invalid,
// and checks only the last batch's CRC: a damaged frame header in the middle
// of the tail ends the log there, silently, with every acknowledged entry
// after it gone (and later overwritten). Segments here are zero-filled
// before use (walfs.go), so after the true end of the log a segment holds
// only zeros, or the remains of one batch whose write a crash tore.
//
// scanTail walks the frames as raft-wal does, checking every batch's CRC
// (raft-wal's commit frames), to the end of the last intact batch. What
// follows must be zeros or a torn batch: if a complete batch follows it (a
// record that passes its checksum, followed by frames up to a commit
// frame), entries that were written whole come after damage, and the open
// is refused. A torn batch is reported, kept in a file beside the segment,
// and zeroed, so that it cannot be mistaken for damage later.
//
// raft-wal's segment format (github.com/hashicorp/raft-wal/segment):
//
//	file header (32 bytes): magic u32, reserved, version u8, base index u64, id u64, codec u64
//	frame: type u8 (1 entry, 2 index, 3 commit), 3 reserved, u32 LE length (commit: CRC-32C),
//	       payload padded to 8 bytes (none for a commit)
//	a commit's CRC covers the bytes from the end of the previous commit
//	(the file's start for the first) to the commit frame.
const (
	segHeaderLen  = 32
	frameHdrLen   = 8
	frameEntry    = 1
	frameIndex    = 2
	frameCommit   = 3
	maxFrameBytes = 64 << 20 // raft-wal's MaxEntrySize
)

// tailScan is what scanTail found.
type tailScan struct {
	file     string
	end      int64 // end of the last intact batch (0: none)
	junkEnd  int64 // end of the non-zero bytes after end (== end when none)
	complete int64 // offset of a complete batch after end, or -1
	entries  int   // intact entries in the segment
}

func pad8(n int64) int64 { return (n + 7) &^ 7 }

// scanTail scans the segment file path.
func scanTail(path string) (*tailScan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ts := &tailScan{file: path, complete: -1}
	walkBatches(data, func(records [][]byte, end int64) {
		ts.end, ts.entries = end, ts.entries+len(records)
	})
	ts.junkEnd = ts.end
	if i := lastNonZero(data[ts.end:]); i >= 0 {
		ts.junkEnd = ts.end + int64(i) + 1
		ts.complete = completeBatch(data, ts.end, ts.junkEnd)
	}
	return ts, nil
}

// walkBatches walks a segment's frames from its header and calls each for
// every batch whose commit frame's CRC verifies, in order, with the records
// of its entry frames (slices of data, the slice reused between calls) and
// the offset after its commit frame; it stops at the first frame that is
// not valid (a torn or damaged batch, or the zeros after the last one).
func walkBatches(data []byte, each func(records [][]byte, end int64)) {
	var batch [][]byte
	off, crcStart := int64(segHeaderLen), int64(0)
	n := int64(len(data))
	for off+frameHdrLen <= n {
		h := data[off : off+frameHdrLen]
		v := int64(binary.LittleEndian.Uint32(h[4:]))
		switch h[0] {
		case frameEntry, frameIndex:
			if v > maxFrameBytes || off+frameHdrLen+pad8(v) > n {
				return
			}
			if h[0] == frameEntry {
				batch = append(batch, data[off+frameHdrLen:off+frameHdrLen+v])
			}
			off += frameHdrLen + pad8(v)
		case frameCommit:
			if crc32.Checksum(data[crcStart:off], castagnoli) != uint32(v) {
				return
			}
			off += frameHdrLen
			crcStart = off
			each(batch, off)
			batch = batch[:0]
		default:
			return
		}
	}
}

func lastNonZero(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0 {
			return i
		}
	}
	return -1
}

// completeBatch tells whether data[from:to], which follows the last intact
// batch, holds more than one torn batch could: a batch whose commit CRC
// verifies (the commit frames are found by their headers, and each checked
// from the end of one of the few before it), or two batches whose frames run
// whole from a record that passes its checksum to a commit frame. It
// returns where that data starts, or -1.
func completeBatch(data []byte, from, to int64) int64 {
	var commits []int64
	var stops []int64 // ends of frames where a walk from a whole record stopped (a damaged frame: the next batch may start after it)
	structural, first := 0, int64(-1)
	skipTo := int64(0)
	for p := pad8(from); p+frameHdrLen <= to; p += 8 {
		switch {
		case data[p] == frameCommit && bytes.Equal(data[p+1:p+4], []byte{0, 0, 0}):
			want := binary.LittleEndian.Uint32(data[p+4:])
			starts := []int64{from}
			for i := len(commits) - 1; i >= 0 && i >= len(commits)-8; i-- {
				starts = append(starts, commits[i]+frameHdrLen)
			}
			for i := len(stops) - 1; i >= 0 && i >= len(stops)-8; i-- {
				if stops[i] < p {
					starts = append(starts, stops[i])
				}
			}
			for _, s := range starts {
				if crc32.Checksum(data[s:p], castagnoli) == want {
					return s
				}
			}
			commits = append(commits, p)
		case p >= skipTo && data[p] == frameEntry && bytes.Equal(data[p+1:p+4], []byte{0, 0, 0}):
			v := int64(binary.LittleEndian.Uint32(data[p+4:]))
			if v < sealHeader || v > maxFrameBytes || p+frameHdrLen+v > int64(len(data)) ||
				!validRecord(data[p+frameHdrLen:p+frameHdrLen+v]) {
				continue
			}
			end, stop := walkToCommit(data, p)
			if end == 0 {
				stops = append(stops, stop+frameHdrLen)
			}
			if end > 0 {
				structural++
				if first < 0 {
					first = p
				}
				if structural >= 2 {
					return first
				}
				skipTo = end
			}
		}
	}
	return -1
}

// walkToCommit walks whole frames from p; it returns the end of the commit
// frame it reaches (or 0) and where it stopped otherwise.
func walkToCommit(data []byte, p int64) (end, stop int64) {
	for p+frameHdrLen <= int64(len(data)) {
		t, w := data[p], int64(binary.LittleEndian.Uint32(data[p+4:]))
		if t == frameCommit {
			return p + frameHdrLen, p
		}
		if (t != frameEntry && t != frameIndex) || w > maxFrameBytes || p+frameHdrLen+pad8(w) > int64(len(data)) {
			return 0, p
		}
		p += frameHdrLen + pad8(w)
	}
	return 0, p
}

// checkTail checks the tail segment of walDir before raft-wal opens it: it
// refuses damage followed by complete batches, and sets a torn last batch
// aside (kept as torn-<segment>-<offset>.bin beside it, then zeroed), telling
// report. A segment whose intact part is empty is left to raft-wal (it
// rewrites it).
func checkTail(dir, walDir string, report func(string)) error {
	segs := listSegments(walDir)
	if len(segs) == 0 {
		return nil
	}
	path := filepath.Join(walDir, segs[len(segs)-1].name)
	ts, err := scanTail(path)
	if err != nil {
		return fmt.Errorf("fsmeta: reading %s: %w", path, err)
	}
	if ts.junkEnd == ts.end {
		return nil
	}
	if ts.complete >= 0 {
		return &DamageError{File: path, Where: fmt.Sprintf("offset %d", ts.end),
			Reason: fmt.Sprintf("the log's frames stop being valid after %d intact entries, but whole entries follow at offset %d (acknowledged changes would be lost)", ts.entries, ts.complete),
			Advice: checkAdvice(dir)}
	}
	return setTornAside(path, ts, report)
}

// setTornAside keeps the bytes of a torn last batch in a file beside the
// segment, then zeroes them in the segment (synced).
func setTornAside(path string, ts *tailScan, report func(string)) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("fsmeta: %w", err)
	}
	defer f.Close()
	junk := make([]byte, ts.junkEnd-ts.end)
	if _, err := f.ReadAt(junk, ts.end); err != nil {
		return fmt.Errorf("fsmeta: %s: %w", path, err)
	}
	keep := fmt.Sprintf("%s/torn-%s-%d.bin", filepath.Dir(path), filepath.Base(path), ts.end)
	kept := "its bytes are kept in " + keep
	if err := os.WriteFile(keep, junk, 0o644); err != nil {
		// A full disk: the batch was never acknowledged, so dropping it
		// loses nothing; zeroing writes over blocks the segment has.
		os.Remove(keep)
		kept = fmt.Sprintf("its bytes could not be kept: %v", err)
	}
	if _, err := f.WriteAt(make([]byte, len(junk)), ts.end); err != nil {
		return fmt.Errorf("fsmeta: %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsmeta: %s: %w", path, err)
	}
	report(fmt.Sprintf("fsmeta: %s: the log ends with an incomplete batch (%d bytes at offset %d, after %d intact entries in this segment), as a crash during a write leaves it; it was never acknowledged and is dropped (%s)",
		path, len(junk), ts.end, ts.entries, kept))
	return nil
}
