package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsmeta/fsmeta/core/meta"
	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

// lockedBuffer is a bytes.Buffer that serve's logger and the test may use
// at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestServe: serve -init makes a data directory and serves it; a client
// (remote mode) changes it; SIGTERM stops the server cleanly, and the
// changes are in the directory afterwards. Mistakes are refused before
// anything is made.
func TestServe(t *testing.T) {
	base := t.TempDir()
	tokenFile := filepath.Join(base, "token")
	token := "serve-test-token-0123456789"
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "data")
	open := filepath.Join(base, "open-token")
	os.WriteFile(open, []byte(token), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "-dir", dir, "-token-file", tokenFile}, "-init makes a new one"},
		{[]string{"serve", "-dir", dir, "-init", "-token-file", open}, "readable by group or others"},
		{[]string{"serve", "-dir", dir}, "-token-file"},
		{[]string{"serve", "-dir", tokenFile, "-init", "-token-file", tokenFile}, "not a directory"},
	} {
		if code, _, errs := runCmd(t, c.args...); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d %q, want %q", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused serve left %s behind", dir)
	}

	sig := make(chan os.Signal, 1)
	old := serveSignals
	serveSignals = func() (<-chan os.Signal, func()) { return sig, func() {} }
	defer func() { serveSignals = old }()
	addr := freePort(t)
	var out, errs lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"serve", "-dir", dir, "-init", "-token-file", tokenFile, "-listen", addr}, &out, &errs)
	}()
	var c *fsmeta.DB
	var err error
	for i := 0; i < 200; i++ {
		if c, err = fsmeta.Open(fsmeta.Options{Servers: []string{addr}, Token: []byte(token)}); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("no server at %s: %v\n%s", addr, err, errs.String())
	}
	d, err := c.MkdirAll(nil, "/served/here", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Mkdir(nil, d.Ino, "", 0o755); !errors.Is(err, meta.EINVAL) {
		t.Fatalf("an empty name through the server: %v", err)
	}
	sig <- syscall.SIGTERM
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if _, err := c.GetAttr(nil, d.Ino); !errors.Is(err, meta.EIO) {
		t.Fatalf("a call after the server stopped: %v", err)
	}
	c.Close()
	if !strings.Contains(errs.String(), "listening") || !strings.Contains(errs.String(), "stopped") {
		t.Errorf("serve's log: %s", errs.String())
	}
	db, err := fsmeta.Open(fsmeta.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if a, err := db.Resolve(nil, "/served/here", true); err != nil || a.Ino != d.Ino {
		t.Fatalf("after serve stopped, the directory has %+v %v", a, err)
	}
}

// TestServeKill9: a served directory loses no acknowledged change when the
// server process is killed with SIGKILL at random moments while 16 clients
// write; each restart serves what was acknowledged before it, and fsck of
// the directory passes at the end.
func TestServeKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it several times: the normal pass runs it, -short (the race pass) does not")
	}
	base := t.TempDir()
	bin := filepath.Join(base, "fsmeta")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tokenFile := filepath.Join(base, "token")
	token := []byte("kill-test-token-0123456789")
	os.WriteFile(tokenFile, token, 0o600)
	dir := filepath.Join(base, "data")
	var mu sync.Mutex
	acked := map[string]bool{} // names whose create the server acknowledged
	for round := 0; round < 4; round++ {
		addr := freePort(t)
		args := []string{"serve", "-dir", dir, "-token-file", tokenFile, "-listen", addr}
		if round == 0 {
			args = append(args, "-init")
		}
		srv := exec.Command(bin, args...)
		var errs lockedBuffer
		srv.Stderr = &errs
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		var c *fsmeta.DB
		var err error
		for i := 0; i < 500; i++ {
			if c, err = fsmeta.Open(fsmeta.Options{Servers: []string{addr}, Token: token}); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			srv.Process.Kill()
			t.Fatalf("round %d: no server: %v\n%s", round, err, errs.String())
		}
		// everything acknowledged before is there
		mu.Lock()
		for name := range acked {
			if _, err := c.Lookup(nil, meta.RootIno, name); err != nil {
				t.Fatalf("round %d: %s was acknowledged before the kill and is gone: %v", round, name, err)
			}
		}
		mu.Unlock()
		var wg sync.WaitGroup
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ; i++ {
					name := fmt.Sprintf("r%d-w%d-%d", round, w, i)
					if _, err := c.Create(nil, meta.RootIno, name, 0o644); err != nil {
						return // the server was killed
					}
					mu.Lock()
					acked[name] = true
					mu.Unlock()
				}
			}(w)
		}
		time.Sleep(time.Duration(100+rand.Intn(300)) * time.Millisecond)
		srv.Process.Signal(syscall.SIGKILL)
		srv.Wait()
		wg.Wait()
		c.Close()
	}
	if len(acked) < 100 {
		t.Fatalf("only %d creates were acknowledged in 4 rounds", len(acked))
	}
	db, err := fsmeta.Open(fsmeta.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name := range acked {
		if _, err := db.Lookup(nil, meta.RootIno, name); err != nil {
			t.Fatalf("%s was acknowledged and is gone: %v", name, err)
		}
	}
	if err := db.Fsck(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d acknowledged creates over 4 kills, all there", len(acked))
}
