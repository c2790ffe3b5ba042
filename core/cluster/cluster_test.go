package cluster

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
)

func TestFrameRoundTrip(t *testing.T) {
	req, err := fsm.AppendRequest(nil, &fsm.Op{Code: fsm.OpMkdir, Ino: 1, Name: "d", Mode: 0o755, Uid: 5})
	if err != nil {
		t.Fatal(err)
	}
	var buf []byte
	want := []Frame{{FrameRequest, 7, req}, {FramePing, 8, []byte{}}, {FramePong, 8, []byte{}}, {FrameReply, 1<<64 - 1, []byte("x")}}
	for _, f := range want {
		buf = AppendFrame(buf, f.Type, f.ID, f.Body)
	}
	r := bufio.NewReader(bytes.NewReader(buf))
	for i, w := range want {
		got, err := ReadFrame(r, DefaultMaxFrame)
		if err != nil || got.Type != w.Type || got.ID != w.ID || !bytes.Equal(got.Body, w.Body) {
			t.Fatalf("frame %d: %+v %v, want %+v", i, got, err, w)
		}
	}
	if _, err := ReadFrame(r, DefaultMaxFrame); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
	o, _, err := fsm.ReadRequest(want[0].Body)
	if err != nil || o.Name != "d" || o.Uid != 5 {
		t.Fatalf("the request inside: %+v %v", o, err)
	}
}

func TestFrameRefusals(t *testing.T) {
	big := AppendFrame(nil, FrameRequest, 1, make([]byte, 100))
	// over the limit: refused from the length, before the body is read
	r := bufio.NewReader(io.MultiReader(bytes.NewReader(big[:4]), errReader{}))
	if _, err := ReadFrame(r, 50); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	for name, b := range map[string][]byte{
		"short length": {0, 0, 0, 3, 6, 0, 0},
		"unknown type": AppendFrame(nil, 0, 1, nil),
		"type 200":     AppendFrame(nil, 200, 1, nil),
		"type 11":      AppendFrame(nil, 11, 1, nil),
	} {
		var fe *FrameError
		if _, err := ReadFrame(bufio.NewReader(bytes.NewReader(b)), 1000); !errors.As(err, &fe) {
			t.Errorf("%s: %v, want a FrameError", name, err)
		}
	}
	if _, err := ReadFrame(bufio.NewReader(bytes.NewReader(big[:20])), 1000); err != io.ErrUnexpectedEOF {
		t.Fatalf("cut frame: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("the body must not be read") }

var (
	tokenA = []byte("0123456789abcdef-token-a")
	tokenB = []byte("0123456789abcdef-token-b")
)

// handshake runs both sides over a pipe.
func handshake(t *testing.T, clientTok, serverTok []byte, terms Welcome) (Welcome, error, Hello, error) {
	t.Helper()
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	deadline := time.Now().Add(5 * time.Second)
	c.SetDeadline(deadline)
	s.SetDeadline(deadline)
	type sres struct {
		h   Hello
		err error
	}
	done := make(chan sres, 1)
	go func() {
		h, err := ServerHandshake(bufio.NewReader(s), s, serverTok, [16]byte{9}, terms)
		if err != nil {
			s.Close() // as a server does after a failed handshake
		}
		done <- sres{h, err}
	}()
	w, cerr := ClientHandshake(bufio.NewReader(c), c, clientTok, [16]byte{1, 2}, "test client")
	if cerr != nil {
		c.Close()
	}
	r := <-done
	return w, cerr, r.h, r.err
}

func TestHandshake(t *testing.T) {
	w, cerr, h, serr := handshake(t, tokenA, tokenA, Welcome{MaxFrame: 1 << 20, KeepaliveMs: 500, Leader: "10.0.0.1:7000"})
	if cerr != nil || serr != nil {
		t.Fatalf("client %v, server %v", cerr, serr)
	}
	if w.MaxFrame != 1<<20 || w.Leader != "10.0.0.1:7000" || h.Name != "test client" || h.ClientID[1] != 2 {
		t.Fatalf("terms %+v, hello %+v", w, h)
	}
	// a server that does not have the client's token cannot prove it: the
	// client stops before it sends a proof of its own
	_, cerr, _, serr = handshake(t, tokenA, tokenB, Welcome{})
	if !errors.Is(cerr, ErrAuth) || serr == nil {
		t.Fatalf("wrong server token: client %v, server %v", cerr, serr)
	}
}

// TestHandshakeRefusals: a client with another version, a client proof that
// does not match, and frames out of order are refused with a reason.
func TestHandshakeRefusals(t *testing.T) {
	serve := func(client func(r *bufio.Reader, w io.Writer) error) (error, error) {
		c, s := net.Pipe()
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		s.SetDeadline(time.Now().Add(5 * time.Second))
		done := make(chan error, 1)
		go func() {
			_, err := ServerHandshake(bufio.NewReader(s), s, tokenA, [16]byte{9}, Welcome{})
			s.Close()
			done <- err
		}()
		cerr := client(bufio.NewReader(c), c)
		c.Close()
		return cerr, <-done
	}
	// version 2
	cerr, serr := serve(func(r *bufio.Reader, w io.Writer) error {
		send(w, FrameHello, &Hello{Version: 2, ClientID: make([]byte, 16), ClientNonce: make([]byte, 32)})
		var c Challenge
		return expect(r, FrameChallenge, &c)
	})
	var re *RefusedError
	if !errors.As(cerr, &re) || re.Code != RefuseVersion || serr == nil {
		t.Fatalf("version 2: client %v, server %v", cerr, serr)
	}
	// a proof made with another token
	cerr, serr = serve(func(r *bufio.Reader, w io.Writer) error {
		h := Hello{Version: ProtocolVersion, ClientID: make([]byte, 16), ClientNonce: nonce()}
		send(w, FrameHello, &h)
		var c Challenge
		if err := expect(r, FrameChallenge, &c); err != nil {
			return err
		}
		send(w, FrameAuth, &Auth{ClientProof: proof(tokenB, "fsmeta client 1", h.ClientID, h.ClientNonce, c.ServerNonce)})
		var wl Welcome
		return expect(r, FrameWelcome, &wl)
	})
	if !errors.As(cerr, &re) || re.Code != RefuseAuth || !errors.Is(serr, ErrAuth) {
		t.Fatalf("wrong client proof: client %v, server %v", cerr, serr)
	}
	// a replayed proof (made for another server nonce) is refused too
	cerr, serr = serve(func(r *bufio.Reader, w io.Writer) error {
		h := Hello{Version: ProtocolVersion, ClientID: make([]byte, 16), ClientNonce: nonce()}
		send(w, FrameHello, &h)
		var c Challenge
		if err := expect(r, FrameChallenge, &c); err != nil {
			return err
		}
		send(w, FrameAuth, &Auth{ClientProof: proof(tokenA, "fsmeta client 1", h.ClientID, h.ClientNonce, nonce())})
		var wl Welcome
		return expect(r, FrameWelcome, &wl)
	})
	if !errors.As(cerr, &re) || re.Code != RefuseAuth || !errors.Is(serr, ErrAuth) {
		t.Fatalf("replayed proof: client %v, server %v", cerr, serr)
	}
	// a request before the handshake
	cerr, serr = serve(func(r *bufio.Reader, w io.Writer) error {
		w.Write(AppendFrame(nil, FrameRequest, 1, []byte{0x90}))
		_, err := ReadFrame(r, HandshakeMaxFrame)
		return err
	})
	var fe *FrameError
	if cerr != nil || !errors.As(serr, &fe) {
		t.Fatalf("request first: client %v, server %v", cerr, serr)
	}
	// an oversized hello is refused from its length
	cerr, serr = serve(func(r *bufio.Reader, w io.Writer) error {
		go w.Write(AppendFrame(nil, FrameHello, 0, make([]byte, HandshakeMaxFrame))) // a pipe: the write waits for a reader
		f, err := ReadFrame(r, HandshakeMaxFrame)
		if err == nil && f.Type != FrameRefused {
			err = errors.New("no refusal")
		}
		return err
	})
	if cerr != nil || !errors.Is(serr, ErrFrameTooLarge) {
		t.Fatalf("oversized hello: client %v, server %v", cerr, serr)
	}
}

func TestTokens(t *testing.T) {
	if _, _, _, err := handshake(t, []byte("short"), tokenA, Welcome{}); err == nil {
		t.Fatal("a short client token was taken")
	}
	dir := t.TempDir()
	write := func(name, content string, mode uint32) string {
		p := dir + "/" + name
		if err := writeFile(p, content, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if tok, err := LoadToken(write("ok", "  "+string(tokenA)+"\n", 0o600)); err != nil || !bytes.Equal(tok, tokenA) {
		t.Fatalf("token file: %q %v", tok, err)
	}
	for _, c := range []struct{ name, content, want string }{
		{"open", string(tokenA), "readable by group or others"},
		{"short", "abc\n", "at least 16"},
	} {
		mode := uint32(0o600)
		if c.name == "open" {
			mode = 0o644
		}
		if _, err := LoadToken(write(c.name, c.content, mode)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := LoadToken(dir + "/missing"); err == nil {
		t.Error("a missing token file was taken")
	}
}

// TestReplyInFrame: the operations' replies travel as frame bodies and read
// back by the kind of the request of the same id.
func TestReplyInFrame(t *testing.T) {
	d := fsm.WireDesc(fsm.OpMkdir)
	r := fsm.Reply{Errno: 0, Attr: meta.Attr{Ino: 5, Mode: meta.S_IFDIR | 0o755, Nlink: 2}}
	b := AppendFrame(nil, FrameReply, 42, fsm.AppendReply(nil, d.Result, &r))
	f, err := ReadFrame(bufio.NewReader(bytes.NewReader(b)), MinMaxFrame)
	if err != nil {
		t.Fatal(err)
	}
	got, rest, err := fsm.ReadReply(f.Body, d.Result)
	if err != nil || len(rest) != 0 || got.Attr != r.Attr || f.ID != 42 {
		t.Fatalf("%+v %v", got, err)
	}
}

// FuzzFrames: any bytes read as frames and as handshake messages fail
// cleanly or read back what they wrote.
func FuzzFrames(f *testing.F) {
	hello, _ := msgpack.Marshal(&Hello{Version: 1, ClientID: make([]byte, 16), ClientNonce: make([]byte, 32), Name: "x"})
	f.Add(AppendFrame(nil, FrameHello, 0, hello))
	f.Add(AppendFrame(AppendFrame(nil, FramePing, 3, nil), FrameRequest, 4, []byte{0x96, 1, 0, 0, 0, 0x90, 0}))
	welcome, _ := msgpack.Marshal(&Welcome{MaxFrame: 1 << 20})
	f.Add(AppendFrame(nil, FrameWelcome, 0, welcome))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bufio.NewReader(bytes.NewReader(b))
		for {
			fr, err := ReadFrame(r, 1<<16)
			if err != nil {
				return
			}
			again := AppendFrame(nil, fr.Type, fr.ID, fr.Body)
			back, err := ReadFrame(bufio.NewReader(bytes.NewReader(again)), 1<<16)
			if err != nil || back.Type != fr.Type || back.ID != fr.ID || !bytes.Equal(back.Body, fr.Body) {
				t.Fatalf("frame does not round-trip: %+v", fr)
			}
			var h Hello
			var c Challenge
			var a Auth
			var w Welcome
			var rf Refused
			for _, v := range []any{&h, &c, &a, &w, &rf} {
				decodeExact(fr.Body, v)
			}
			if fr.Type == FrameRequest {
				fsm.ReadRequest(fr.Body)
			}
		}
	})
}

func writeFile(path, content string, mode uint32) error {
	return os.WriteFile(path, []byte(content), os.FileMode(mode))
}
