// Package cluster is fsmeta's remote protocol: the frames a client and a
// server exchange over one TCP connection, the handshake that authenticates
// both ends, and (later) the server and the client built on them. The
// operations inside the frames are fsm's wire form (core/fsm/proto.go),
// derived from the one description of the operations; this package adds
// only the framing around them. docs/protocol.md has the tables.
package cluster

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A frame on the wire:
//
//	+----------------+------+-------------------+----------------+
//	| length (u32 BE)| type | request id (u64 BE)| body           |
//	+----------------+------+-------------------+----------------+
//
// length counts the type, the id and the body (at least 9). Both ends refuse
// a frame longer than the limit agreed in the handshake (MaxFrame before
// it) before reading its body, so a peer cannot make the other allocate
// more than that.

// FrameType says what a frame carries.
type FrameType uint8

const (
	FrameHello     FrameType = 1  // client: protocol version, client id, client nonce, name
	FrameChallenge FrameType = 2  // server: protocol version, server id, server nonce, proof of the server
	FrameAuth      FrameType = 3  // client: proof of the client
	FrameWelcome   FrameType = 4  // server: the session's terms (frame limit, keepalive, leader)
	FrameRefused   FrameType = 5  // server: why the handshake or the connection ends (then it closes)
	FrameRequest   FrameType = 6  // client: an operation (fsm.AppendRequest's record), id chosen by the client
	FrameReply     FrameType = 7  // server: the reply to the request of the same id (fsm.AppendReply)
	FrameRedirect  FrameType = 8  // server: not the leader; the body names the leader (a string, maybe empty)
	FramePing      FrameType = 9  // either end: keepalive; the other answers Pong with the same id
	FramePong      FrameType = 10 // either end: the answer to a Ping
	numFrameTypes  FrameType = 11
)

var frameNames = [...]string{"", "hello", "challenge", "auth", "welcome", "refused", "request", "reply", "redirect",
	"ping", "pong"}

func (t FrameType) String() string {
	if t > 0 && t < numFrameTypes {
		return frameNames[t]
	}
	return fmt.Sprintf("frame type %d", uint8(t))
}

const (
	// frameHeader is the length, type and id.
	frameHeader = 4 + 1 + 8
	// HandshakeMaxFrame bounds every frame before the handshake has agreed
	// on a limit: a handshake frame holds a few ids and a name.
	HandshakeMaxFrame = 4 << 10
	// DefaultMaxFrame is the limit a server offers by default: a request
	// holds at most one operation, and an operation at most fsm.MaxEntryBytes
	// (a rename of two 255-byte names is a few hundred bytes; a listing's
	// reply is bounded by the request's limit).
	DefaultMaxFrame = 64 << 20
	// MinMaxFrame is the smallest limit a peer may offer.
	MinMaxFrame = 64 << 10
)

// Frame is one frame: its type, request id and body. A Frame read by
// ReadFrame owns its body.
type Frame struct {
	Type FrameType
	ID   uint64
	Body []byte
}

// AppendFrame appends the frame to b.
func AppendFrame(b []byte, t FrameType, id uint64, body []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(1+8+len(body)))
	b = append(b, byte(t))
	b = binary.BigEndian.AppendUint64(b, id)
	return append(b, body...)
}

// ErrFrameTooLarge is the error of a frame over the limit.
var ErrFrameTooLarge = errors.New("fsmeta cluster: frame over the limit")

// FrameError is a malformed frame: the connection it came on cannot be
// trusted further and is closed.
type FrameError struct {
	Reason string
}

func (e *FrameError) Error() string { return "fsmeta cluster: malformed frame: " + e.Reason }

// ReadFrame reads one frame of at most max bytes (length field included)
// from r. A frame over max is refused from its length, before its body is
// read (ErrFrameTooLarge); an unknown type or a length under the header is a
// FrameError. io.EOF means the peer closed between frames;
// io.ErrUnexpectedEOF, inside one.
func ReadFrame(r *bufio.Reader, max int) (Frame, error) {
	var hdr [frameHeader]byte
	if _, err := io.ReadFull(r, hdr[:4]); err != nil {
		return Frame{}, err // io.EOF when nothing was read
	}
	n := binary.BigEndian.Uint32(hdr[:4])
	if uint64(n)+4 > uint64(max) {
		return Frame{}, fmt.Errorf("%w: %d bytes, the limit is %d", ErrFrameTooLarge, uint64(n)+4, max)
	}
	if n < 9 {
		return Frame{}, &FrameError{fmt.Sprintf("length %d is under the 9 bytes of type and id", n)}
	}
	if _, err := io.ReadFull(r, hdr[4:]); err != nil {
		return Frame{}, unexpected(err)
	}
	f := Frame{Type: FrameType(hdr[4]), ID: binary.BigEndian.Uint64(hdr[5:])}
	if f.Type == 0 || f.Type >= numFrameTypes {
		return Frame{}, &FrameError{fmt.Sprintf("unknown type %d", hdr[4])}
	}
	f.Body = make([]byte, n-9)
	if _, err := io.ReadFull(r, f.Body); err != nil {
		return Frame{}, unexpected(err)
	}
	return f, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
