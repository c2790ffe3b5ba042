package fsmeta_test

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fsmeta/fsmeta/core/cluster"
	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/internal/scenario"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

var testToken = []byte("a-test-token-of-32-bytes-length!")

// serveDB serves db on a loopback port; the server stops with the test.
func serveDB(t *testing.T, db *fsmeta.DB) (string, *cluster.Server) {
	t.Helper()
	s, err := cluster.NewServer(cluster.ServerConfig{Token: testToken, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		db.ServeBackend())
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return l.Addr().String(), s
}

// TestScenarioRemote runs every testdata/*.scn file through a client DB
// (remote mode) of a server over loopback TCP: the same operations, the same
// results and errors as in process; the server's state passes fsck.
func TestScenarioRemote(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*.scn"))
	if err != nil || len(files) == 0 {
		t.Fatal("no scenario files", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := scenario.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var server *fsmeta.DB
			db, errs := scenario.RunWith(f, func(opts fsmeta.Options) (*fsmeta.DB, func() error, error) {
				if server, err = fsmeta.Open(opts); err != nil {
					return nil, nil, err
				}
				addr, _ := serveDB(t, server)
				client, err := fsmeta.Open(fsmeta.Options{Servers: []string{addr}, Token: testToken, ClientName: f.Name})
				return client, server.Fsck, err
			})
			for _, e := range errs {
				t.Error(e)
			}
			if db != nil {
				db.Close()
			}
			if server != nil {
				if err := server.Fsck(); err != nil {
					t.Errorf("%s: fsck of the server after the last line: %v", f.Name, err)
				}
				server.Close()
			}
		})
	}
}

// TestRemoteMode: what a client cannot do says so; a client whose server
// went away gets EIO and reconnects when the server is back; a closed client
// answers ErrClosed; options are checked.
func TestRemoteMode(t *testing.T) {
	server, err := fsmeta.Open(fsmeta.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	addr, s := serveDB(t, server)
	if _, err := fsmeta.Open(fsmeta.Options{Servers: []string{addr}, Token: []byte("short")}); !errors.Is(err, meta.EINVAL) {
		t.Fatalf("a short token: %v", err)
	}
	if _, err := fsmeta.Open(fsmeta.Options{Servers: []string{addr}, Token: testToken, InMemory: true}); !errors.Is(err, meta.EINVAL) {
		t.Fatalf("Servers with InMemory: %v", err)
	}
	if _, err := fsmeta.Open(fsmeta.Options{Servers: []string{addr}, Token: []byte("another-token-of-32-bytes-length")}); !errors.Is(err, cluster.ErrAuth) {
		t.Fatalf("a wrong token: %v", err)
	}
	c, err := fsmeta.Open(fsmeta.Options{Servers: []string{"127.0.0.1:1", addr}, Token: testToken})
	if err != nil {
		t.Fatalf("the second server of two: %v", err)
	}
	d, err := c.MkdirAll(nil, "/a/b", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := server.Resolve(nil, "/a/b", true); err != nil || a.Ino != d.Ino {
		t.Fatalf("the server has %+v %v, the client made %d", a, err, d.Ino)
	}
	for what, err := range map[string]error{"fsck": c.Fsck(), "snapshot": c.Snapshot(), "export": c.Export(t.TempDir())} {
		if !errors.Is(err, meta.EOPNOTSUPP) {
			t.Errorf("%s on a client: %v", what, err)
		}
	}
	if _, err := c.Checksum(); !errors.Is(err, meta.EOPNOTSUPP) {
		t.Errorf("checksum on a client: %v", err)
	}
	// the server goes away: EIO; a new server on the same address: the
	// next call reconnects
	s.Close()
	if _, err := c.GetAttr(nil, d.Ino); !errors.Is(err, meta.EIO) || !strings.Contains(err.Error(), "server") {
		t.Fatalf("getattr with the server gone: %v (the error says why)", err)
	}
	if _, err := c.Mkdir(nil, d.Ino, "x", 0o755); !errors.Is(err, meta.EIO) {
		t.Fatalf("mkdir with the server gone: %v", err)
	}
	s2, err := cluster.NewServer(cluster.ServerConfig{Token: testToken, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, server.ServeBackend())
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the address %s cannot be listened on again at once: %v", addr, err) // rare: the port was taken meanwhile
	}
	go s2.Serve(l)
	defer s2.Close()
	if a, err := c.GetAttr(nil, d.Ino); err != nil || a.Ino != d.Ino {
		t.Fatalf("after the server came back: %+v %v", a, err)
	}
	c.Close()
	if _, err := c.GetAttr(nil, d.Ino); !errors.Is(err, fsmeta.ErrClosed) {
		t.Fatalf("a closed client: %v", err)
	}
}

// BenchmarkRemoteCreate: creates in random directories through a client of
// a server over loopback TCP, 64 callers on one connection; the server is
// durable (group commit) or in memory. Client and server share the machine.
func BenchmarkRemoteCreate(b *testing.B) {
	for _, mode := range []string{"memory", "durable"} {
		b.Run(mode, func(b *testing.B) {
			opts := fsmeta.Options{InMemory: true}
			if mode == "durable" {
				opts = fsmeta.Options{Dir: b.TempDir()}
			}
			server, err := fsmeta.Open(opts)
			if err != nil {
				b.Fatal(err)
			}
			defer server.Close()
			s, err := cluster.NewServer(cluster.ServerConfig{Token: testToken, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
				server.ServeBackend())
			if err != nil {
				b.Fatal(err)
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			go s.Serve(l)
			defer s.Close()
			c, err := fsmeta.Open(fsmeta.Options{Servers: []string{l.Addr().String()}, Token: testToken})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			var dirs []fsmeta.Ino
			for i := 0; i < 64; i++ {
				d, err := c.Mkdir(nil, fsmeta.RootIno, "d"+strconv.Itoa(i), 0o755)
				if err != nil {
					b.Fatal(err)
				}
				dirs = append(dirs, d.Ino)
			}
			var n atomic.Int64
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, err := c.Create(nil, dirs[i%64], "f"+strconv.FormatInt(i, 10), 0o644); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
