package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// treeBackend serves a tree in memory: changes validated, then applied
// (the tree serializes them), reads through the table.
type treeBackend struct{ t *tree.Tree }

func (b treeBackend) Apply(o *fsm.Op) (fsm.Result, error) {
	if e := fsm.Validate(o); e != 0 {
		return fsm.Result{Errno: e}, nil
	}
	return fsm.Apply(b.t, o), nil
}

func (b treeBackend) Read(o *fsm.Op) (fsm.Reply, error) { return fsm.Read(b.t, o), nil }

const serverClock = int64(1_800_000_000_000_000_000)

// serve starts a server of a fresh tree on a loopback port.
func serve(t testing.TB, cfg ServerConfig) (string, *tree.Tree, *Server) {
	t.Helper()
	tr, err := tree.New(tree.Options{ArenaMaxBytes: 256 << 20, RootTime: 1})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Token == nil {
		cfg.Token = tokenA
	}
	if cfg.Clock == nil {
		cfg.Clock = func() int64 { return serverClock }
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := NewServer(cfg, treeBackend{tr})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(func() {
		s.Close()
		if err := tr.Fsck(); err != nil {
			t.Error(err)
		}
		tr.Close()
	})
	return l.Addr().String(), tr, s
}

func dial(t testing.TB, addr string) *Conn {
	t.Helper()
	c, err := Dial(addr, ClientConfig{Token: tokenA, Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func do(t testing.TB, c *Conn, o fsm.Op) fsm.Reply {
	t.Helper()
	r, err := c.Do(&o)
	if err != nil {
		t.Fatalf("%s: %v", o.Code, err)
	}
	return r
}

func code(name string) fsm.Code {
	for _, d := range fsm.Ops() {
		if d.Name == name {
			return d.Code
		}
	}
	panic(name)
}

// TestServeOps: changes and reads over a real TCP connection give what the
// tree gives, failures come back as errnos, and the server stamps the time.
func TestServeOps(t *testing.T) {
	addr, tr, _ := serve(t, ServerConfig{})
	c := dial(t, addr)
	d := do(t, c, fsm.Op{Code: fsm.OpMkdir, Ino: 1, Name: "d", Mode: 0o755, Now: 5})
	if d.Errno != 0 || d.Attr.Mtime != serverClock {
		t.Fatalf("mkdir: %+v (the server's clock is %d, the client sent 5)", d, serverClock)
	}
	f := do(t, c, fsm.Op{Code: fsm.OpMknod, Ino: uint64(d.Attr.Ino), Name: "f", Mode: meta.S_IFREG | 0o644})
	if got := do(t, c, fsm.Op{Code: code("lookup"), Ino: uint64(d.Attr.Ino), Name: "f"}); got.Attr != f.Attr {
		t.Fatalf("lookup %+v, created %+v", got.Attr, f.Attr)
	}
	want, _ := tr.GetAttr(meta.RootCaller, f.Attr.Ino)
	if got := do(t, c, fsm.Op{Code: code("getattr"), Ino: uint64(f.Attr.Ino)}); got.Attr != want {
		t.Fatalf("getattr %+v, the tree has %+v", got.Attr, want)
	}
	ls := do(t, c, fsm.Op{Code: code("readdir"), Ino: uint64(d.Attr.Ino), Flags: 1})
	if len(ls.Entries) != 1 || ls.Entries[0].Name != "f" || ls.Entries[0].Attr.Ino != f.Attr.Ino {
		t.Fatalf("readdir: %+v", ls)
	}
	if r := do(t, c, fsm.Op{Code: fsm.OpUnlink, Ino: 1, Name: "missing"}); r.Errno != meta.ENOENT {
		t.Fatalf("unlink of a missing name: %v", r.Errno)
	}
	if r := do(t, c, fsm.Op{Code: fsm.OpMkdir, Ino: 1, Name: "", Mode: 0o755}); r.Errno != meta.EINVAL {
		t.Fatalf("mkdir of an empty name: %v", r.Errno)
	}
	user := fsm.Op{Code: fsm.OpMkdir, Ino: uint64(d.Attr.Ino), Name: "x", Mode: 0o755, Uid: 1000, Gid: 1000}
	if r := do(t, c, user); r.Errno != meta.EACCES {
		t.Fatalf("mkdir by a user in root's 0755 directory: %v", r.Errno)
	}
	if r := do(t, c, fsm.Op{Code: code("resolve"), Name: "/d/f"}); r.Attr.Ino != f.Attr.Ino {
		t.Fatalf("resolve: %+v", r)
	}
}

// TestPipelined: many goroutines on few connections, each request answered
// with its own reply; the tree ends as the replies say.
func TestPipelined(t *testing.T) {
	addr, tr, _ := serve(t, ServerConfig{MaxInflight: 16})
	conns := []*Conn{dial(t, addr), dial(t, addr), dial(t, addr)}
	const callers, per = 48, 100
	var wg sync.WaitGroup
	made := make([]map[string]meta.Ino, callers)
	for g := 0; g < callers; g++ {
		made[g] = map[string]meta.Ino{}
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := conns[g%len(conns)]
			for i := 0; i < per; i++ {
				name := fmt.Sprintf("g%d-%d", g, i)
				r, err := c.Do(&fsm.Op{Code: fsm.OpMknod, Ino: 1, Name: name, Mode: meta.S_IFREG | 0o600})
				if err != nil || r.Errno != 0 {
					t.Errorf("%s: %v %v", name, err, r.Errno)
					return
				}
				made[g][name] = r.Attr.Ino
				if got, err := c.Do(&fsm.Op{Code: code("getattr"), Ino: uint64(r.Attr.Ino)}); err != nil || got.Attr.Ino != r.Attr.Ino {
					t.Errorf("getattr of %s: %+v %v", name, got, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	for g := range made {
		for name, ino := range made[g] {
			if a, e := tr.Lookup(meta.RootCaller, 1, name); e != 0 || a.Ino != ino {
				t.Fatalf("%s: %v %v, the reply said %d", name, a.Ino, e, ino)
			}
		}
	}
}

// rawClient is a client that speaks frames itself, for what a well-behaved
// client never sends.
func rawClient(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	if _, err := ClientHandshake(r, c, tokenA, [16]byte{7}, "raw"); err != nil {
		t.Fatal(err)
	}
	return c, r
}

// TestBadClients: whatever a client sends, the server answers or closes
// that connection and keeps serving the others.
func TestBadClients(t *testing.T) {
	addr, _, _ := serve(t, ServerConfig{WriteTimeout: 300 * time.Millisecond, MaxFrame: MinMaxFrame, MaxInflight: 4})
	good := dial(t, addr)
	check := func(when string) {
		t.Helper()
		if r, err := good.Do(&fsm.Op{Code: code("getattr"), Ino: 1}); err != nil || r.Attr.Ino != 1 {
			t.Fatalf("%s: a good client got %+v %v", when, r, err)
		}
	}
	// an operation this server does not know: ENOSYS
	c, r := rawClient(t, addr)
	c.Write(AppendFrame(nil, FrameRequest, 1, []byte{0x96, 0xcc, 250, 0, 0, 0, 0x90, 0}))
	f, err := ReadFrame(r, MinMaxFrame)
	if err != nil || f.Type != FrameReply || f.ID != 1 {
		t.Fatalf("unknown operation: %+v %v", f, err)
	}
	if rep, _, err := fsm.ReadReply(f.Body, fsm.RAttr); err != nil || rep.Errno != meta.ENOSYS {
		t.Fatalf("unknown operation: %+v %v", rep, err)
	}
	// malformed records, a frame type a client may not send, an oversized
	// frame: refused, connection closed
	for name, frame := range map[string][]byte{
		"garbage record": AppendFrame(nil, FrameRequest, 2, []byte{0x93, 0xc1}),
		"bytes after":    AppendFrame(nil, FrameRequest, 3, append(mustRequest(t, &fsm.Op{Code: code("getattr"), Ino: 1}), 0)),
		"welcome":        AppendFrame(nil, FrameWelcome, 0, nil),
		"oversized":      AppendFrame(nil, FrameRequest, 4, make([]byte, MinMaxFrame)),
	} {
		c, r := rawClient(t, addr)
		go c.Write(frame)
		var refused bool
		for {
			f, err := ReadFrame(r, MinMaxFrame)
			if err != nil {
				break
			}
			refused = refused || f.Type == FrameRefused
		}
		if !refused {
			t.Errorf("%s: the connection closed without a refusal", name)
		}
		check(name)
	}
	// a client that sends requests and never reads the replies: closed
	// after the write timeout, and nobody else waits for it
	c, _ = rawClient(t, addr)
	req := mustRequest(t, &fsm.Op{Code: code("readdir"), Ino: 1, Flags: 1})
	stop := make(chan struct{})
	go func() {
		for i := uint64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := c.Write(AppendFrame(nil, FrameRequest, i, req)); err != nil {
				return
			}
		}
	}()
	for i := 0; i < 20; i++ {
		check("a client that does not read")
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	// a wrong token
	if _, err := Dial(addr, ClientConfig{Token: tokenB}); !errors.Is(err, ErrAuth) {
		t.Fatalf("wrong token: %v", err)
	}
	check("the end")
}

func mustRequest(t *testing.T, o *fsm.Op) []byte {
	b, err := fsm.AppendRequest(nil, o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBusyAndKeepalive: past MaxConns a client is refused busy; a quiet
// connection is kept by pings and works afterwards; Close ends the calls
// waiting.
func TestBusyAndKeepalive(t *testing.T) {
	addr, _, s := serve(t, ServerConfig{MaxConns: 1, Keepalive: 40 * time.Millisecond, Log: slog.Default()})
	c := dial(t, addr)
	_, err := Dial(addr, ClientConfig{Token: tokenA})
	var re *RefusedError
	if !errors.As(err, &re) || re.Code != RefuseBusy {
		t.Fatalf("second connection: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // several keepalives
	if r, err := c.Do(&fsm.Op{Code: code("statfs")}); err != nil || r.Errno != 0 {
		t.Fatalf("after a quiet while: %+v %v", r, err)
	}
	s.Close()
	if _, err := c.Do(&fsm.Op{Code: code("statfs")}); !errors.Is(err, ErrConnClosed) {
		t.Fatalf("after the server closed: %v", err)
	}
}

// BenchmarkRemoteGetattr: getattr over loopback TCP, one caller (latency)
// and many (throughput over 4 connections).
func BenchmarkRemoteGetattr(b *testing.B) {
	addr, _, _ := serve(b, ServerConfig{})
	c := dial(b, addr)
	o := fsm.Op{Code: code("getattr"), Ino: 1}
	b.Run("1", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := c.Do(&o); err != nil {
				b.Fatal(err)
			}
		}
	})
	conns := []*Conn{c, dial(b, addr), dial(b, addr), dial(b, addr)}
	b.Run("64", func(b *testing.B) {
		var mu sync.Mutex
		n := 0
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			mu.Lock()
			cn := conns[n%len(conns)]
			n++
			mu.Unlock()
			o := o
			for pb.Next() {
				if _, err := cn.Do(&o); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
