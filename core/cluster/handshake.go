package cluster

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vmihailenco/msgpack/v5"
)

// The handshake authenticates both ends with a shared secret token that
// never crosses the wire, and fixes the session's terms:
//
//	client                                   server
//	Hello{version, client id, client nonce, name} ->
//	                <- Challenge{version, server id, server nonce, server proof}
//	                   (or Refused: version mismatch, busy, shutting down)
//	(the client checks the server's proof: a server without the token cannot
//	make it, so the client never talks to an impostor)
//	Auth{client proof} ->
//	                <- Welcome{max frame, keepalive, leader}
//	                   (or Refused: wrong proof; then the server closes)
//
// A proof is HMAC-SHA256 keyed by the token over a label, the client id and
// both nonces: fresh nonces on both sides make a recorded handshake useless
// on another connection. The token authenticates; it does not encrypt:
// without TLS around the connection, the operations and their replies
// travel in the clear (README: what is protected).

// ProtocolVersion is the version of this package's frames and handshake.
const ProtocolVersion = 1

const (
	nonceLen   = 32
	idLen      = 16
	proofLen   = sha256.Size
	maxNameLen = 255
	// MinTokenLen is the shortest token accepted: 128 bits of secret.
	MinTokenLen = 16
)

// Hello is the client's first frame.
type Hello struct {
	_msgpack    struct{} `msgpack:",as_array"`
	Version     uint32
	ClientID    []byte // 16 bytes, chosen by the client once (the key of its session, later of its retries)
	ClientNonce []byte // 32 random bytes
	Name        string // the client's name, for the server's logs (at most 255 bytes)
}

// Challenge is the server's answer to Hello.
type Challenge struct {
	_msgpack    struct{} `msgpack:",as_array"`
	Version     uint32
	ServerID    []byte // 16 bytes
	ServerNonce []byte // 32 random bytes
	ServerProof []byte // HMAC-SHA256(token, "fsmeta server 1" | client id | client nonce | server nonce)
}

// Auth is the client's proof.
type Auth struct {
	_msgpack    struct{} `msgpack:",as_array"`
	ClientProof []byte   // HMAC-SHA256(token, "fsmeta client 1" | client id | client nonce | server nonce)
}

// Welcome is the session's terms, which end the handshake.
type Welcome struct {
	_msgpack    struct{} `msgpack:",as_array"`
	MaxFrame    uint32   // the largest frame either end may send from now on
	KeepaliveMs uint32   // a silent connection gets a Ping after this long, and is closed after three
	Leader      string   // the leader's client address as this server knows it ("" unknown; it may be this server)
}

// RefuseCode says why a server refused.
type RefuseCode uint8

const (
	RefuseVersion  RefuseCode = 1 // the client's protocol version is not the server's
	RefuseAuth     RefuseCode = 2 // the client's proof is wrong: it does not have the server's token
	RefuseBusy     RefuseCode = 3 // the server has all the connections it takes
	RefuseShutdown RefuseCode = 4 // the server is stopping
	RefuseProtocol RefuseCode = 5 // the client sent a frame the protocol does not allow here
)

var refuseNames = [...]string{"", "protocol version mismatch", "authentication failed", "server busy",
	"server shutting down", "protocol violation"}

func (c RefuseCode) String() string {
	if int(c) < len(refuseNames) && c > 0 {
		return refuseNames[c]
	}
	return fmt.Sprintf("refusal %d", uint8(c))
}

// Refused ends a handshake or a connection.
type Refused struct {
	_msgpack struct{} `msgpack:",as_array"`
	Code     RefuseCode
	Message  string
}

// RefusedError is a client's error when the server refused it.
type RefusedError struct{ Refused }

func (e *RefusedError) Error() string {
	return fmt.Sprintf("fsmeta cluster: the server refused the connection: %s: %s", e.Code, e.Message)
}

// ErrAuth is the error of a handshake whose proof did not match: the other
// end does not have the same token (or is not an fsmeta peer).
var ErrAuth = errors.New("fsmeta cluster: authentication failed: the other end does not have the same token")

func proof(token []byte, label string, clientID, clientNonce, serverNonce []byte) []byte {
	m := hmac.New(sha256.New, token)
	m.Write([]byte(label))
	m.Write(clientID)
	m.Write(clientNonce)
	m.Write(serverNonce)
	return m.Sum(nil)
}

// ClientHandshake runs the client's side on a connection (r reads it,
// w writes it); the caller sets the connection's deadline. It returns the
// session's terms, a *RefusedError if the server refused, ErrAuth if the
// server could not prove it has the token, or the connection's error.
func ClientHandshake(r *bufio.Reader, w io.Writer, token []byte, clientID [16]byte, name string) (Welcome, error) {
	if err := checkToken(token); err != nil {
		return Welcome{}, err
	}
	if len(name) > maxNameLen {
		name = name[:maxNameLen]
	}
	h := Hello{Version: ProtocolVersion, ClientID: clientID[:], ClientNonce: nonce(), Name: name}
	if err := send(w, FrameHello, &h); err != nil {
		return Welcome{}, err
	}
	var c Challenge
	if err := expect(r, FrameChallenge, &c); err != nil {
		return Welcome{}, err
	}
	if c.Version != ProtocolVersion {
		return Welcome{}, fmt.Errorf("fsmeta cluster: the server speaks protocol version %d, this client %d", c.Version, ProtocolVersion)
	}
	if len(c.ServerNonce) != nonceLen || len(c.ServerID) != idLen {
		return Welcome{}, &FrameError{"challenge with a nonce or id of the wrong length"}
	}
	if !hmac.Equal(c.ServerProof, proof(token, "fsmeta server 1", h.ClientID, h.ClientNonce, c.ServerNonce)) {
		return Welcome{}, ErrAuth
	}
	a := Auth{ClientProof: proof(token, "fsmeta client 1", h.ClientID, h.ClientNonce, c.ServerNonce)}
	if err := send(w, FrameAuth, &a); err != nil {
		return Welcome{}, err
	}
	var wl Welcome
	if err := expect(r, FrameWelcome, &wl); err != nil {
		return Welcome{}, err
	}
	if wl.MaxFrame < MinMaxFrame {
		return Welcome{}, &FrameError{fmt.Sprintf("welcome with a frame limit of %d bytes (at least %d)", wl.MaxFrame, MinMaxFrame)}
	}
	return wl, nil
}

// ServerHandshake runs the server's side on a connection: it answers the
// client's Hello, checks its proof, and sends terms. It returns the client's
// Hello, or an error after having sent the client a Refused where the
// protocol allows one (the caller then closes the connection).
func ServerHandshake(r *bufio.Reader, w io.Writer, token []byte, serverID [16]byte, terms Welcome) (Hello, error) {
	if err := checkToken(token); err != nil {
		return Hello{}, err
	}
	var h Hello
	if err := expect(r, FrameHello, &h); err != nil {
		refuse(w, RefuseProtocol, err.Error())
		return Hello{}, err
	}
	if h.Version != ProtocolVersion {
		msg := fmt.Sprintf("this server speaks protocol version %d, the client %d", ProtocolVersion, h.Version)
		refuse(w, RefuseVersion, msg)
		return Hello{}, fmt.Errorf("fsmeta cluster: %s", msg)
	}
	if len(h.ClientID) != idLen || len(h.ClientNonce) != nonceLen || len(h.Name) > maxNameLen {
		refuse(w, RefuseProtocol, "hello with a client id, nonce or name of the wrong length")
		return Hello{}, &FrameError{"hello with a client id, nonce or name of the wrong length"}
	}
	sn := nonce()
	c := Challenge{Version: ProtocolVersion, ServerID: serverID[:], ServerNonce: sn,
		ServerProof: proof(token, "fsmeta server 1", h.ClientID, h.ClientNonce, sn)}
	if err := send(w, FrameChallenge, &c); err != nil {
		return Hello{}, err
	}
	var a Auth
	if err := expect(r, FrameAuth, &a); err != nil {
		return Hello{}, err
	}
	if !hmac.Equal(a.ClientProof, proof(token, "fsmeta client 1", h.ClientID, h.ClientNonce, sn)) {
		refuse(w, RefuseAuth, "the client's proof does not match this server's token")
		return Hello{}, ErrAuth
	}
	if terms.MaxFrame < MinMaxFrame {
		terms.MaxFrame = DefaultMaxFrame
	}
	if err := send(w, FrameWelcome, &terms); err != nil {
		return Hello{}, err
	}
	return h, nil
}

func nonce() []byte {
	b := make([]byte, nonceLen)
	if _, err := rand.Read(b); err != nil {
		panic("fsmeta cluster: no randomness: " + err.Error()) // crypto/rand does not fail on Linux
	}
	return b
}

func send(w io.Writer, t FrameType, v any) error {
	body, err := msgpack.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(AppendFrame(nil, t, 0, body))
	return err
}

func refuse(w io.Writer, code RefuseCode, msg string) {
	send(w, FrameRefused, &Refused{Code: code, Message: msg})
}

// expect reads the next handshake frame: the type wanted, or a Refused
// (returned as a *RefusedError); anything else is a protocol error.
func expect(r *bufio.Reader, t FrameType, v any) error {
	f, err := ReadFrame(r, HandshakeMaxFrame)
	if err != nil {
		return fmt.Errorf("fsmeta cluster: handshake: reading the %s: %w", t, err)
	}
	if f.Type == FrameRefused && t != FrameHello {
		var rf Refused
		if err := decodeExact(f.Body, &rf); err != nil {
			return err
		}
		return &RefusedError{rf}
	}
	if f.Type != t {
		return &FrameError{fmt.Sprintf("a %s frame where the handshake expects a %s", f.Type, t)}
	}
	return decodeExact(f.Body, v)
}

// decodeExact decodes a handshake message, refusing trailing bytes.
func decodeExact(b []byte, v any) error {
	br := bytes.NewReader(b)
	if err := msgpack.NewDecoder(br).Decode(v); err != nil {
		return &FrameError{fmt.Sprintf("handshake message: %v", err)}
	}
	if br.Len() != 0 { // the decoder reads a bytes.Reader directly (an io.ByteScanner), without buffering
		return &FrameError{"handshake message with trailing bytes"}
	}
	return nil
}

func checkToken(token []byte) error {
	if len(token) < MinTokenLen {
		return fmt.Errorf("fsmeta cluster: the token has %d bytes, at least %d are needed", len(token), MinTokenLen)
	}
	return nil
}

// LoadToken reads a token file: its content without surrounding white
// space. The file must not be readable by group or others (a secret), and
// the token must have at least MinTokenLen bytes.
func LoadToken(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fsmeta cluster: token file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("fsmeta cluster: token file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("fsmeta cluster: token file %s has mode %04o: it must not be readable by group or others (chmod 600)",
			path, st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("fsmeta cluster: token file %s: %w", path, err)
	}
	tok := []byte(strings.TrimSpace(string(b)))
	if err := checkToken(tok); err != nil {
		return nil, fmt.Errorf("%w (token file %s)", err, path)
	}
	return tok, nil
}
