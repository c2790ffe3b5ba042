package cluster

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
)

// Backend is what a server serves: an engine that applies changes (after
// validating them, through its log) and answers reads.
type Backend interface {
	// Apply runs a change and returns its result; an error means the
	// engine could not run it (stopped, log full), not that the operation
	// failed (that is the result's errno).
	Apply(o *fsm.Op) (fsm.Result, error)
	// Read runs a read.
	Read(o *fsm.Op) (fsm.Reply, error)
}

// ServerConfig configures a Server. Token is required.
type ServerConfig struct {
	Token            []byte        // the shared secret (LoadToken)
	ID               [16]byte      // this server's id (random when zero)
	MaxFrame         uint32        // the largest frame either end may send (default DefaultMaxFrame)
	Keepalive        time.Duration // a silent connection gets a Ping after this long, and is closed after three (default 5 s)
	HandshakeTimeout time.Duration // the whole handshake (default 5 s)
	WriteTimeout     time.Duration // one write of replies; a client that does not read is closed after it (default 10 s)
	MaxConns         int           // connections at once; more are refused busy (default 1024)
	MaxInflight      int           // requests of one connection being run at once; the connection is not read meanwhile (default 256)
	Clock            func() int64  // the time stamped on changes, ns (default time.Now): the server's, never the client's
	Log              *slog.Logger  // default slog.Default()
}

// Server serves a Backend to remote clients (docs/protocol.md).
type Server struct {
	cfg     ServerConfig
	backend Backend
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	lis     []net.Listener
	closed  bool
	wg      sync.WaitGroup
}

// NewServer makes a server of backend.
func NewServer(cfg ServerConfig, backend Backend) (*Server, error) {
	if err := checkToken(cfg.Token); err != nil {
		return nil, err
	}
	if cfg.ID == ([16]byte{}) {
		rand.Read(cfg.ID[:])
	}
	if cfg.MaxFrame == 0 {
		cfg.MaxFrame = DefaultMaxFrame
	}
	if cfg.MaxFrame < MinMaxFrame {
		return nil, fmt.Errorf("fsmeta cluster: MaxFrame %d is under %d", cfg.MaxFrame, MinMaxFrame)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Keepalive, 5*time.Second)
	def(&cfg.HandshakeTimeout, 5*time.Second)
	def(&cfg.WriteTimeout, 10*time.Second)
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 1024
	}
	if cfg.MaxInflight <= 0 {
		cfg.MaxInflight = 256
	}
	if cfg.Clock == nil {
		cfg.Clock = func() int64 { return time.Now().UnixNano() }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Server{cfg: cfg, backend: backend, conns: map[net.Conn]struct{}{}}, nil
}

// ErrServerClosed is Serve's error after Close.
var ErrServerClosed = errors.New("fsmeta cluster: server closed")

// Serve accepts connections on l until Close; each is served on its own
// goroutines. A connection's failure (bad frames, a failed handshake, a
// client that stops reading) closes that connection only.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.lis = append(s.lis, l)
	s.mu.Unlock()
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return ErrServerClosed
		}
		busy := len(s.conns) >= s.cfg.MaxConns
		if !busy {
			s.conns[c] = struct{}{}
			s.wg.Add(1)
		}
		s.mu.Unlock()
		if busy {
			go s.refuseBusy(c)
			continue
		}
		go func() {
			defer s.wg.Done()
			s.serveConn(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) refuseBusy(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	r := bufio.NewReader(c)
	if _, err := ReadFrame(r, HandshakeMaxFrame); err == nil {
		refuse(c, RefuseBusy, fmt.Sprintf("the server serves %d connections, its limit", s.cfg.MaxConns))
	}
}

// Close stops accepting, closes every connection and waits for their
// goroutines (requests being applied finish first).
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, l := range s.lis {
		l.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// conn is one client connection after its handshake.
type conn struct {
	s     *Server
	c     net.Conn
	out   chan []byte   // reply frames for the writer
	slots chan struct{} // requests in flight
	done  chan struct{} // closed when the connection ends
	once  sync.Once
	name  string
}

func (s *Server) serveConn(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	c.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	terms := Welcome{MaxFrame: s.cfg.MaxFrame, KeepaliveMs: uint32(s.cfg.Keepalive / time.Millisecond)}
	h, err := ServerHandshake(r, c, s.cfg.Token, s.cfg.ID, terms)
	if err != nil {
		s.cfg.Log.Warn("fsmeta: handshake failed", "remote", c.RemoteAddr().String(), "err", err)
		return
	}
	c.SetDeadline(time.Time{})
	cn := &conn{s: s, c: c, out: make(chan []byte, s.cfg.MaxInflight), slots: make(chan struct{}, s.cfg.MaxInflight),
		done: make(chan struct{}), name: h.Name}
	written := make(chan struct{})
	go func() {
		defer close(written)
		cn.writer()
	}()
	err = cn.reader(r)
	// the writer sends what is queued (a refusal among it), then the
	// connection ends
	if cn.send(nil) {
		select {
		case <-written:
		case <-time.After(s.cfg.WriteTimeout):
		}
	}
	cn.end()
	<-written
	// requests in flight finish (their replies are dropped) before the
	// connection's goroutines are gone
	for i := 0; i < cap(cn.slots); i++ {
		cn.slots <- struct{}{}
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		s.cfg.Log.Warn("fsmeta: connection closed", "remote", c.RemoteAddr().String(), "client", h.Name, "err", err)
	}
}

func (cn *conn) end() {
	cn.once.Do(func() {
		close(cn.done)
		cn.c.Close()
	})
}

// reader reads frames until the connection ends; a malformed frame ends it.
func (cn *conn) reader(r *bufio.Reader) error {
	s := cn.s
	silent := 0
	for {
		cn.c.SetReadDeadline(time.Now().Add(s.cfg.Keepalive))
		f, err := ReadFrame(r, int(s.cfg.MaxFrame))
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				silent++
				if silent >= 3 {
					return fmt.Errorf("no frame for %v", 3*s.cfg.Keepalive)
				}
				if !cn.send(AppendFrame(nil, FramePing, 0, nil)) {
					return nil
				}
				continue
			}
			if errors.Is(err, ErrFrameTooLarge) {
				cn.refuse(RefuseProtocol, err.Error())
			}
			return err
		}
		silent = 0
		switch f.Type {
		case FramePing:
			if !cn.send(AppendFrame(nil, FramePong, f.ID, nil)) {
				return nil
			}
		case FramePong:
		case FrameRequest:
			if err := cn.request(f); err != nil {
				cn.refuse(RefuseProtocol, err.Error())
				return err
			}
		default:
			err := &FrameError{fmt.Sprintf("a %s frame from a client after the handshake", f.Type)}
			cn.refuse(RefuseProtocol, err.Error())
			return err
		}
	}
}

// request decodes one request and runs it: reads on the reader's goroutine
// (they are short), changes on their own (so that the changes of many
// requests in flight share log entries), at most MaxInflight at once.
func (cn *conn) request(f Frame) error {
	o, rest, err := fsm.ReadRequest(f.Body)
	if errors.Is(err, fsm.ErrUnknownOp) {
		// an operation this server does not know (a newer client): ENOSYS, as a local call would give
		cn.send(AppendFrame(nil, FrameReply, f.ID, fsm.AppendReply(nil, fsm.RNone, &fsm.Reply{Errno: meta.ENOSYS})))
		return nil
	}
	if err != nil {
		return fmt.Errorf("request %d: %w", f.ID, err)
	}
	if len(rest) != 0 {
		return fmt.Errorf("request %d: %d bytes after the operation", f.ID, len(rest))
	}
	d := fsm.WireDesc(o.Code)
	select {
	case cn.slots <- struct{}{}:
	case <-cn.done:
		return nil
	}
	if !d.Changes {
		r, err := cn.s.backend.Read(&o)
		cn.answer(f.ID, d, r, err)
		<-cn.slots
		return nil
	}
	o.Now = cn.s.cfg.Clock() // the server's clock, never the client's
	go func() {
		defer func() { <-cn.slots }()
		res, err := cn.s.backend.Apply(&o)
		if err != nil {
			cn.answer(f.ID, d, fsm.Reply{}, err)
			return
		}
		cn.answer(f.ID, d, fsm.ReplyOf(&res), nil)
	}()
	return nil
}

// answer sends a reply; an engine error becomes the errno it carries (EIO
// when it carries none).
func (cn *conn) answer(id uint64, d *fsm.Desc, r fsm.Reply, err error) {
	if err != nil {
		var e meta.Errno
		if !errors.As(err, &e) || e == 0 {
			e = meta.EIO
		}
		r = fsm.Reply{Errno: e}
	}
	cn.send(AppendFrame(nil, FrameReply, id, fsm.AppendReply(nil, d.Result, &r)))
}

// send queues a frame for the writer; false once the connection ended.
func (cn *conn) send(frame []byte) bool {
	select {
	case cn.out <- frame:
		return true
	case <-cn.done:
		return false
	}
}

// refuse queues a Refused frame; the reader then returns, and the writer
// sends it before the connection closes.
func (cn *conn) refuse(code RefuseCode, msg string) {
	body, _ := msgpack.Marshal(&Refused{Code: code, Message: msg})
	cn.send(AppendFrame(nil, FrameRefused, 0, body))
}

// writer writes queued frames, as many at once as are waiting, until a nil
// frame (the connection's end); a write that takes longer than WriteTimeout
// (a client that does not read) ends the connection.
func (cn *conn) writer() {
	w := bufio.NewWriterSize(cn.c, 64<<10)
	for {
		var f []byte
		select {
		case f = <-cn.out:
		case <-cn.done:
			return
		}
		cn.c.SetWriteDeadline(time.Now().Add(cn.s.cfg.WriteTimeout))
		last := f == nil
		w.Write(f)
	more:
		for !last {
			select {
			case f = <-cn.out:
				last = f == nil
				w.Write(f)
			default:
				break more
			}
		}
		if err := w.Flush(); err != nil || last {
			cn.end()
			return
		}
	}
}
