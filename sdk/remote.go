package fsmeta

import (
	"errors"
	"fmt"
	"sync"

	"github.com/fsmeta/fsmeta/core/cluster"
	"github.com/fsmeta/fsmeta/core/fsm"
	"github.com/fsmeta/fsmeta/core/meta"
	"github.com/fsmeta/fsmeta/core/tree"
)

// Remote mode (Options.Servers): the DB is a client of an fsmeta server
// (fsmeta serve, docs/protocol.md). The same methods, the same errors:
// changes are checked here as in the other modes (fsm.CheckFields,
// fsm.Validate: a refused operation never leaves the process), then sent;
// reads are sent. The server stamps the changes' times. What needs the
// state in this process (Stats, Fsck, Checksum, Compact, Export, Snapshot,
// DirPath) is refused with EOPNOTSUPP.
//
// One connection carries every call, pipelined. If it breaks, the next call
// dials again, the servers in order. Not built yet: following a leader that
// moved, retrying a change exactly once after a failover, read levels.

// reader is what the read methods ask: the tree (memory, durable and
// read-only modes) or the remote server.
type reader interface {
	Lookup(c *meta.Caller, parent meta.Ino, name string) (meta.Attr, meta.Errno)
	GetAttr(c *meta.Caller, ino meta.Ino) (meta.Attr, meta.Errno)
	Access(c *meta.Caller, ino meta.Ino, mask uint32) meta.Errno
	Readlink(c *meta.Caller, ino meta.Ino) (string, meta.Errno)
	ReadDir(c *meta.Caller, ino meta.Ino, cursor uint64, max int, plus bool, out []meta.DirEntry) ([]meta.DirEntry, uint64, meta.Errno)
	StatFS(c *meta.Caller) (meta.StatFS, meta.Errno)
	GetXattr(c *meta.Caller, ino meta.Ino, name string) ([]byte, meta.Errno)
	ListXattr(c *meta.Caller, ino meta.Ino) ([]string, meta.Errno)
	ReadChunk(c *meta.Caller, ino meta.Ino, chunk uint32) ([]meta.Slice, meta.Errno)
	ChunkIndexes(c *meta.Caller, ino meta.Ino) ([]uint32, meta.Errno)
	Resolve(c *meta.Caller, path string, followLast bool) (meta.Attr, meta.Errno)
	DirPath(c *meta.Caller, ino meta.Ino) (string, meta.Errno)
}

var _ reader = (*tree.Tree)(nil)

// reads returns what the read methods ask.
func (db *DB) reads() reader {
	if db.remote != nil {
		return db.remote
	}
	return db.tree()
}

// remote is the client side of remote mode.
type remote struct {
	db      *DB
	servers []string
	cfg     cluster.ClientConfig
	mu      sync.Mutex
	conn    *cluster.Conn
	lastErr error // why the last call could not be made (for the error's detail)
}

func (db *DB) openRemote(opts Options) (*DB, error) {
	if opts.InMemory || opts.Dir != "" || opts.ReadOnly {
		return nil, fmt.Errorf("fsmeta: Options: Servers is remote mode: InMemory, Dir and ReadOnly are for an engine in this process: %w", meta.EINVAL)
	}
	if len(opts.Token) < cluster.MinTokenLen {
		return nil, fmt.Errorf("fsmeta: Options: Servers needs the cluster's Token (at least %d bytes; cluster.LoadToken reads a token file): %w",
			cluster.MinTokenLen, meta.EINVAL)
	}
	r := &remote{db: db, servers: opts.Servers, cfg: cluster.ClientConfig{Token: opts.Token, Name: opts.ClientName}}
	if _, err := r.connect(); err != nil {
		return nil, err
	}
	db.remote = r
	return db, nil
}

// connect returns the connection, dialing the servers in order when there
// is none (or it broke).
func (r *remote) connect() (*cluster.Conn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn != nil {
		return r.conn, nil
	}
	var errs []error
	for _, addr := range r.servers {
		c, err := cluster.Dial(addr, r.cfg)
		if err == nil {
			r.conn = c
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("fsmeta: no server of %v could be reached: %w: %w", r.servers, errors.Join(errs...), meta.EIO)
}

// do sends o and returns its reply. A connection that broke is dropped (the
// next call dials again); the call gets EIO, with the cause kept for its
// error's detail.
func (r *remote) do(o *fsm.Op) (fsm.Reply, error) {
	if r.db.closed.Load() {
		return fsm.Reply{Errno: meta.EClosed}, nil
	}
	c, err := r.connect()
	if err != nil {
		return fsm.Reply{}, err
	}
	rep, err := c.Do(o)
	if err != nil {
		r.mu.Lock()
		if r.conn == c {
			r.conn = nil
		}
		r.mu.Unlock()
		c.Close()
		var nl *cluster.NotLeaderError
		if errors.As(err, &nl) {
			return fsm.Reply{}, fmt.Errorf("fsmeta: %w", err)
		}
		return fsm.Reply{}, fmt.Errorf("fsmeta: the server connection failed: %w: %w", err, meta.EIO)
	}
	return rep, nil
}

// read runs a read; a failure to reach the server is EIO, and the cause is
// kept for the error's detail (DB.wrap takes it).
func (r *remote) read(name string, c *meta.Caller, o fsm.Op) fsm.Reply {
	o.Code = readCode(name)
	o.SetCaller(c)
	rep, err := r.do(&o)
	if err != nil {
		r.mu.Lock()
		r.lastErr = err
		r.mu.Unlock()
		return fsm.Reply{Errno: meta.EIO}
	}
	return rep
}

// takeErr returns and forgets the cause of the last read that could not
// reach the server.
func (r *remote) takeErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.lastErr
	r.lastErr = nil
	return err
}

func (r *remote) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn != nil {
		r.conn.Close()
		r.conn = nil
	}
	return nil
}

var readCodes = func() map[string]fsm.Code {
	m := map[string]fsm.Code{}
	for _, d := range fsm.Ops() {
		if !d.Changes {
			m[d.Name] = d.Code
		}
	}
	return m
}()

func readCode(name string) fsm.Code {
	c, ok := readCodes[name]
	if !ok {
		panic("fsmeta: no read " + name)
	}
	return c
}

func (r *remote) Lookup(c *meta.Caller, parent meta.Ino, name string) (meta.Attr, meta.Errno) {
	rep := r.read("lookup", c, fsm.Op{Ino: uint64(parent), Name: name})
	return rep.Attr, rep.Errno
}

func (r *remote) GetAttr(c *meta.Caller, ino meta.Ino) (meta.Attr, meta.Errno) {
	rep := r.read("getattr", c, fsm.Op{Ino: uint64(ino)})
	return rep.Attr, rep.Errno
}

func (r *remote) Access(c *meta.Caller, ino meta.Ino, mask uint32) meta.Errno {
	return r.read("access", c, fsm.Op{Ino: uint64(ino), Mode: mask}).Errno
}

func (r *remote) Readlink(c *meta.Caller, ino meta.Ino) (string, meta.Errno) {
	rep := r.read("readlink", c, fsm.Op{Ino: uint64(ino)})
	return string(rep.Bytes), rep.Errno
}

func (r *remote) ReadDir(c *meta.Caller, ino meta.Ino, cursor uint64, max int, plus bool, out []meta.DirEntry) ([]meta.DirEntry, uint64, meta.Errno) {
	var p uint32
	if plus {
		p = 1
	}
	rep := r.read("readdir", c, fsm.Op{Ino: uint64(ino), Arg: cursor, Arg2: uint64(max), Flags: p})
	return append(out, rep.Entries...), rep.Cursor, rep.Errno
}

func (r *remote) StatFS(c *meta.Caller) (meta.StatFS, meta.Errno) {
	rep := r.read("statfs", c, fsm.Op{})
	return rep.StatFS, rep.Errno
}

func (r *remote) GetXattr(c *meta.Caller, ino meta.Ino, name string) ([]byte, meta.Errno) {
	rep := r.read("getxattr", c, fsm.Op{Ino: uint64(ino), Name: name})
	return rep.Bytes, rep.Errno
}

func (r *remote) ListXattr(c *meta.Caller, ino meta.Ino) ([]string, meta.Errno) {
	rep := r.read("listxattr", c, fsm.Op{Ino: uint64(ino)})
	return rep.Names, rep.Errno
}

func (r *remote) ReadChunk(c *meta.Caller, ino meta.Ino, chunk uint32) ([]meta.Slice, meta.Errno) {
	rep := r.read("read_chunk", c, fsm.Op{Ino: uint64(ino), Chunk: chunk})
	return rep.Slices, rep.Errno
}

func (r *remote) ChunkIndexes(c *meta.Caller, ino meta.Ino) ([]uint32, meta.Errno) {
	rep := r.read("chunk_indexes", c, fsm.Op{Ino: uint64(ino)})
	return rep.Chunks, rep.Errno
}

func (r *remote) Resolve(c *meta.Caller, path string, followLast bool) (meta.Attr, meta.Errno) {
	var f uint32
	if followLast {
		f = fsm.ResolveFollow
	}
	rep := r.read("resolve", c, fsm.Op{Name: path, Flags: f})
	return rep.Attr, rep.Errno
}

func (r *remote) DirPath(c *meta.Caller, ino meta.Ino) (string, meta.Errno) {
	return "", meta.EOPNOTSUPP
}

// change sends a change (checked already by apply; a closed DB answers
// before it is sent).
func (r *remote) change(o *fsm.Op) (fsm.Result, error) {
	o.Now = 0 // the server's clock stamps it
	rep, err := r.do(o)
	if err != nil {
		return fsm.Result{}, err
	}
	return fsm.Result{Errno: rep.Errno, Attr: rep.Attr, ID: rep.ID, Slices: rep.Slices}, nil
}

// errRemote is the error of what needs the state in this process.
func errRemote(what string) error {
	return fmt.Errorf("fsmeta: %s: not available on a client of a remote server (run it where the engine is): %w", what, meta.EOPNOTSUPP)
}

// ServeBackend returns db as what a cluster.Server serves: changes go
// through apply (validated, logged in durable mode), reads through the
// table. For `fsmeta serve` and tests.
func (db *DB) ServeBackend() cluster.Backend { return backend{db} }

type backend struct{ db *DB }

func (b backend) Apply(o *fsm.Op) (fsm.Result, error) {
	if b.db.remote != nil {
		return fsm.Result{}, errRemote("serve")
	}
	o.Now = b.db.now()
	return b.db.apply(o)
}

func (b backend) Read(o *fsm.Op) (fsm.Reply, error) {
	if b.db.closed.Load() {
		return fsm.Reply{Errno: meta.EClosed}, nil
	}
	if b.db.remote != nil {
		return fsm.Reply{}, errRemote("serve")
	}
	return fsm.Read(b.db.tree(), o), nil
}

// Serving a DB to remote clients (fsmeta serve): the server of core/cluster.
type (
	ServerConfig = cluster.ServerConfig
	Server       = cluster.Server
)

// ErrServerClosed is Server.Serve's error after Close.
var ErrServerClosed = cluster.ErrServerClosed

// NewServer makes a server of db (cfg.Token is required).
func NewServer(db *DB, cfg ServerConfig) (*Server, error) {
	return cluster.NewServer(cfg, db.ServeBackend())
}

// LoadToken reads a token file (mode 0600 or stricter, at least 16 bytes).
func LoadToken(path string) ([]byte, error) { return cluster.LoadToken(path) }
