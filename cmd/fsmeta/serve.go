package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	fsmeta "github.com/fsmeta/fsmeta/sdk"
)

const serveAbout = `Serve a durable data directory to remote clients (docs/protocol.md): one
node, the engine in this process, clients over TCP authenticated with the
shared token of -token-file (a file of mode 0600 holding at least 16 bytes;
the token never crosses the wire, but without TLS the operations do: keep the
port on a trusted network). Clients open it with Options.Servers (Go).
SIGTERM or SIGINT stops it cleanly: no new connections, the requests being
applied finish, the log is closed. Replication (3 or 5 nodes), follower
reads and client mode in C, Java and Python are not built yet.

A missing or empty -dir is made a new data directory only with -init.`

// serveSignals is where serve waits for its stop signal (tests replace it).
var serveSignals = func() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	return ch, func() { signal.Stop(ch) }
}

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stdout, serveAbout)
	dir := fs.String("dir", "", "data `DIR`ectory of the durable engine")
	initDir := fs.Bool("init", false, "make -dir a new data directory when it is missing or empty")
	listen := fs.String("listen", "127.0.0.1:7380", "`address` to listen on for clients (host:port)")
	tokenFile := fs.String("token-file", "", "`file` holding the shared token (mode 0600, at least 16 bytes)")
	maxConns := fs.Int("max-conns", 1024, "most client connections at once; more are refused busy")
	keepalive := fs.Duration("keepalive", 5*time.Second, "a silent connection gets a ping after this long and is closed after three")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *tokenFile == "" || fs.NArg() > 0 {
		return usagef("serve needs -dir DIR and -token-file FILE")
	}
	if *initDir {
		if err := freshOrDataDir(*dir); err != nil {
			return err
		}
	} else if err := needDataDir(*dir); err != nil {
		return fmt.Errorf("%w (-init makes a new one)", err)
	}
	token, err := fsmeta.LoadToken(*tokenFile)
	if err != nil {
		return err
	}
	db, err := fsmeta.Open(fsmeta.Options{Dir: *dir})
	if err != nil {
		return err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := fsmeta.NewServer(db, fsmeta.ServerConfig{Token: token, MaxConns: *maxConns, Keepalive: *keepalive, Log: log})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	sig, stop := serveSignals()
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	st := db.Stats()
	log.Info("fsmeta serve: listening", "address", l.Addr().String(), "dir", *dir, "inodes", st.Inodes)
	select {
	case s := <-sig:
		log.Info("fsmeta serve: stopping", "signal", s.String())
	case err := <-served:
		if !errors.Is(err, fsmeta.ErrServerClosed) {
			srv.Close()
			return fmt.Errorf("serving %s: %w", l.Addr(), err)
		}
	}
	srv.Close()
	if err := db.Close(); err != nil {
		return err
	}
	log.Info("fsmeta serve: stopped")
	return nil
}

// freshOrDataDir accepts an existing data directory, or a missing or empty
// one (which the open makes a data directory).
func freshOrDataDir(dir string) error {
	if isDataDir(dir) {
		return nil
	}
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) > 0 {
		if err != nil {
			return err
		}
		return fmt.Errorf("%s is not empty and not a data directory: serve -init makes a new data directory only in a missing or empty one", dir)
	}
	return nil
}
