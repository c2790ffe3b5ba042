package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
)

// ClientConfig configures a connection of a client.
type ClientConfig struct {
	Token       []byte        // the shared secret (LoadToken)
	ID          [16]byte      // the client's id (its session; random when zero)
	Name        string        // for the server's logs
	DialTimeout time.Duration // connecting and the handshake (default 5 s)
}

// Conn is one client connection to a server. Do may be called from many
// goroutines: their requests are pipelined on the connection, and each
// caller gets its own reply.
type Conn struct {
	c      net.Conn
	terms  Welcome
	out    chan []byte // frames for the writer goroutine
	mu     sync.Mutex
	next   uint64
	calls  map[uint64]*call
	err    error // why the connection ended
	closed chan struct{}
}

type call struct {
	kind  fsm.ResultKind
	reply fsm.Reply
	err   error
	done  chan struct{}
}

// ErrConnClosed is the error of a call on a connection that ended; the
// cause is joined to it.
var ErrConnClosed = errors.New("fsmeta cluster: connection closed")

// NotLeaderError is a call's error when the server does not lead: Leader
// is the leader's address as the server knows it ("" unknown).
type NotLeaderError struct{ Leader string }

func (e *NotLeaderError) Error() string {
	if e.Leader == "" {
		return "fsmeta cluster: the server is not the leader and knows no leader"
	}
	return "fsmeta cluster: the server is not the leader; the leader is " + e.Leader
}

// Dial connects to a server at addr and runs the handshake.
func Dial(addr string, cfg ClientConfig) (*Conn, error) {
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.ID == ([16]byte{}) {
		cfg.ID = randomID()
	}
	c, err := net.DialTimeout("tcp", addr, cfg.DialTimeout)
	if err != nil {
		return nil, fmt.Errorf("fsmeta cluster: %w", err)
	}
	c.SetDeadline(time.Now().Add(cfg.DialTimeout))
	r := bufio.NewReaderSize(c, 64<<10)
	terms, err := ClientHandshake(r, c, cfg.Token, cfg.ID, cfg.Name)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("fsmeta cluster: %s: %w", addr, err)
	}
	c.SetDeadline(time.Time{})
	cn := &Conn{c: c, terms: terms, out: make(chan []byte, 1024), calls: map[uint64]*call{}, closed: make(chan struct{})}
	go cn.reader(r)
	go cn.writer()
	return cn, nil
}

// Terms returns what the server set in the handshake.
func (cn *Conn) Terms() Welcome { return cn.terms }

// Do sends the operation o (a change or a read) and waits for its reply.
// The server stamps a change's time. An error means no reply came (the
// connection ended, the server does not lead: NotLeaderError); an operation
// that failed is the reply's errno.
func (cn *Conn) Do(o *fsm.Op) (fsm.Reply, error) {
	d := fsm.WireDesc(o.Code)
	if d == nil {
		return fsm.Reply{}, fmt.Errorf("fsmeta cluster: unknown operation code %d: %w", o.Code, meta.ENOSYS)
	}
	cl := &call{kind: d.Result, done: make(chan struct{})}
	cn.mu.Lock()
	if cn.err != nil {
		err := cn.err
		cn.mu.Unlock()
		return fsm.Reply{}, err
	}
	cn.next++
	id := cn.next
	cn.calls[id] = cl
	cn.mu.Unlock()
	body, err := fsm.AppendRequest(nil, o)
	if err == nil && len(body)+frameHeader > int(cn.terms.MaxFrame) {
		err = fmt.Errorf("fsmeta cluster: a request of %d bytes, over the server's frame limit of %d: %w",
			len(body)+frameHeader, cn.terms.MaxFrame, meta.E2BIG)
	}
	if err != nil {
		cn.forget(id)
		return fsm.Reply{}, err
	}
	select {
	case cn.out <- AppendFrame(nil, FrameRequest, id, body):
	case <-cn.closed: // fail answered the call
	}
	<-cl.done
	return cl.reply, cl.err
}

func (cn *Conn) forget(id uint64) {
	cn.mu.Lock()
	delete(cn.calls, id)
	cn.mu.Unlock()
}

// Close closes the connection; calls waiting get ErrConnClosed.
func (cn *Conn) Close() error {
	cn.fail(errors.New("closed by the client"))
	return nil
}

// fail ends the connection with err, answering every waiting call.
func (cn *Conn) fail(err error) {
	cn.mu.Lock()
	if cn.err != nil {
		cn.mu.Unlock()
		return
	}
	cn.err = fmt.Errorf("%w: %w", ErrConnClosed, err)
	calls := cn.calls
	cn.calls = nil
	cn.mu.Unlock()
	cn.c.Close()
	close(cn.closed)
	for _, cl := range calls {
		cl.err = cn.err
		close(cl.done)
	}
}

// reader reads the server's frames: replies to their calls, pings
// answered, a redirect or a refusal ends the connection.
func (cn *Conn) reader(r *bufio.Reader) {
	ka := time.Duration(cn.terms.KeepaliveMs) * time.Millisecond
	if ka <= 0 {
		ka = 5 * time.Second
	}
	for {
		// the server pings a silent connection every keepalive; three
		// missed mean it is gone
		cn.c.SetReadDeadline(time.Now().Add(3 * ka))
		f, err := ReadFrame(r, int(cn.terms.MaxFrame))
		if err != nil {
			cn.fail(err)
			return
		}
		switch f.Type {
		case FrameReply:
			cn.mu.Lock()
			cl := cn.calls[f.ID]
			delete(cn.calls, f.ID)
			cn.mu.Unlock()
			if cl == nil {
				cn.fail(&FrameError{fmt.Sprintf("a reply to request %d, which is not waiting", f.ID)})
				return
			}
			rep, rest, err := fsm.ReadReply(f.Body, cl.kind)
			if err == nil && len(rest) != 0 {
				err = &FrameError{fmt.Sprintf("%d bytes after the reply to request %d", len(rest), f.ID)}
			}
			cl.reply, cl.err = rep, err
			close(cl.done)
		case FramePing:
			select {
			case cn.out <- AppendFrame(nil, FramePong, f.ID, nil):
			case <-cn.closed:
				return
			}
		case FramePong:
		case FrameRedirect:
			cn.fail(&NotLeaderError{Leader: string(f.Body)})
			return
		case FrameRefused:
			var rf Refused
			if err := decodeExact(f.Body, &rf); err != nil {
				cn.fail(err)
			} else {
				cn.fail(&RefusedError{rf})
			}
			return
		default:
			cn.fail(&FrameError{fmt.Sprintf("a %s frame from the server after the handshake", f.Type)})
			return
		}
	}
}

// writer writes the queued frames, as many at once as are waiting, so that
// the requests of many callers share a write.
func (cn *Conn) writer() {
	w := bufio.NewWriterSize(cn.c, 64<<10)
	for {
		select {
		case f := <-cn.out:
			w.Write(f)
		case <-cn.closed:
			return
		}
	more:
		for {
			select {
			case f := <-cn.out:
				w.Write(f)
			default:
				break more
			}
		}
		if err := w.Flush(); err != nil {
			cn.fail(err)
			return
		}
	}
}

func randomID() [16]byte {
	var id [16]byte
	copy(id[:], nonce())
	return id
}
