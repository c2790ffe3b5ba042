package fsmeta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/hashicorp/raft"
	wal "github.com/hashicorp/raft-wal"
)

// Every record of the log carries its own checksum. raft-wal checksums only
// the last batch of its tail segment (to find a torn write), so a byte
// damaged anywhere else would be read back as a different record. (raft-wal
// v0.4.0 cannot take a codec of its own: it writes codec 1 in every
// segment's metadata whatever codec it is given, and then refuses its own
// segments.) So the checksum travels inside the record's data: what
// checkedLog stores is raft's log with its Data wrapped in an envelope,
//
//	+------+---------------------------------------------+-----------+
//	| 0xF5 | CRC-32C (u32 LE) of index, term, type,      | raft's    |
//	|      | extensions and data (sealInput)             | data      |
//	+------+---------------------------------------------+-----------+
//
// and raft-wal's BinaryCodec writes it. Reading a record checks the CRC
// before anything in it is believed, so a flip in any field raft reads
// (index, term, type, data, extensions) is refused as damage. (Only the
// append time, which nothing reads, is outside the checksum.) Records
// written before envelopes existed (a log started by an older fsmeta) are
// read as they are: the index from which records are sealed is kept in
// raft's stable store (sealedFromKey).
const (
	sealMagic  = 0xF5
	sealHeader = 5
)

// sealedFromKey names the stable-store value: the first index written
// sealed. Absent while the log is empty.
var sealedFromKey = []byte("fsmeta.sealed-from")

var errRecord = errors.New("damaged log record")

// sealInput is what a record's checksum covers.
func sealCRC(l *raft.Log, data []byte) uint32 {
	var hdr [3*binary.MaxVarintLen64 + 1]byte
	b := binary.AppendUvarint(hdr[:0], l.Index)
	b = binary.AppendUvarint(b, l.Term)
	b = binary.AppendUvarint(b, uint64(l.Type))
	b = binary.AppendUvarint(b, uint64(len(l.Extensions)))
	c := crc32.Update(0, castagnoli, b)
	c = crc32.Update(c, castagnoli, l.Extensions)
	return crc32.Update(c, castagnoli, data)
}

// seal returns a copy of l whose Data is in its envelope (l is not changed:
// raft keeps using it).
func seal(l *raft.Log) *raft.Log {
	s := *l
	s.Data = make([]byte, sealHeader+len(l.Data))
	s.Data[0] = sealMagic
	binary.LittleEndian.PutUint32(s.Data[1:], sealCRC(l, l.Data))
	copy(s.Data[sealHeader:], l.Data)
	return &s
}

// unseal checks l's envelope and takes it off.
func unseal(l *raft.Log) error {
	if len(l.Data) < sealHeader || l.Data[0] != sealMagic {
		return fmt.Errorf("%w: its checksum is missing", errRecord)
	}
	data := l.Data[sealHeader:]
	if got, want := sealCRC(l, data), binary.LittleEndian.Uint32(l.Data[1:]); got != want {
		return fmt.Errorf("%w: CRC-32C %08x, the record says %08x", errRecord, got, want)
	}
	if len(data) == 0 {
		data = nil
	}
	l.Data = data
	return nil
}

// decodeRecord decodes a raw record as raft-wal's BinaryCodec wrote it;
// its decoder panics on some damage, which becomes an error here.
func decodeRecord(b []byte, l *raft.Log) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", errRecord, p)
		}
	}()
	if err := (&wal.BinaryCodec{}).Decode(b, l); err != nil {
		return fmt.Errorf("%w: %v", errRecord, err)
	}
	return nil
}

// validRecord tells whether raw bytes are a whole sealed record.
func validRecord(b []byte) bool {
	var l raft.Log
	if decodeRecord(b, &l) != nil || !bytes.HasPrefix(l.Data, []byte{sealMagic}) {
		return false
	}
	return unseal(&l) == nil
}
