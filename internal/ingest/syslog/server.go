package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
)

// ServerOptions configure a Server. Zero values take the defaults.
type ServerOptions struct {
	// MaxMessageSize bounds a message (default 64 KiB). Longer TCP frames
	// are skipped and reported; longer datagrams are reported.
	MaxMessageSize int
	// QueueSize is how many messages wait for the consumer (default
	// 4096). When it is full, TCP readers block, which pushes back on
	// their senders, and UDP datagrams are dropped and counted.
	QueueSize int
	// IdleTimeout closes a TCP or TLS connection that sends nothing for
	// this long (default 5 minutes).
	IdleTimeout time.Duration
	// MaxConnections bounds concurrent TCP and TLS connections (default
	// 1024); more are closed at once and counted.
	MaxConnections int
	// OnDrop, when set, is called with each item dropped (a datagram on
	// a full queue, an item abandoned at shutdown), on the reading
	// goroutine: it must return quickly.
	OnDrop func(Item)
	// Logf, when set, reports listener errors (accept failures, refused
	// connections). Message-level problems are items, not log lines.
	Logf func(format string, args ...any)
}

// Item is one received message, or a frame that could not be read. The
// Record's Source names the transport and sender (see Source) and Line
// counts the messages of a connection (of a socket, for UDP); Data is
// owned by the item.
type Item struct {
	Record ingest.Record
	// Err is set when the frame was unreadable (too long, malformed); the
	// Record then has no Data. Consumers report it as a rejected record.
	Err error
}

// Stats counts what a Server did.
type Stats struct {
	Received      int64 // messages queued
	Dropped       int64 // UDP datagrams dropped on a full queue, items abandoned at shutdown
	FrameErrors   int64 // unreadable frames (queued as items with Err)
	ConnsAccepted int64
	ConnsRefused  int64 // over MaxConnections
	ConnsActive   int64
	IdleTimeouts  int64
	TLSHandshakes int64
}

// Server receives syslog over UDP (RFC 5426), TCP (RFC 6587, octet
// counting or newline framing, per connection) and TLS (RFC 5425), and
// queues every message for a single consumer: the ingest Pipeline is
// single-goroutine, so the listeners' goroutines hand messages over a
// bounded channel (Items, or Feed). Lifecycle: NewServer, Listen*/Serve*
// (any number, before Shutdown), then Shutdown, which stops reading,
// delivers what was already read, and closes the queue.
type Server struct {
	opts  ServerOptions
	queue chan Item
	quit  chan struct{} // closed when Shutdown starts: read no more
	abort chan struct{} // closed when Shutdown gives up: deliver no more
	sem   chan struct{} // one token per open connection
	wg    sync.WaitGroup

	mu        sync.Mutex
	closing   bool
	listeners map[io.Closer]struct{}
	conns     map[net.Conn]struct{}
	shutdown  sync.Once

	received, dropped, frameErrors      atomic.Int64
	accepted, refused, active, timeouts atomic.Int64
	handshakes                          atomic.Int64
}

// NewServer returns a server with no listener yet.
func NewServer(opts ServerOptions) *Server {
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = 64 << 10
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 4096
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 5 * time.Minute
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = 1024
	}
	return &Server{
		opts:      opts,
		queue:     make(chan Item, opts.QueueSize),
		quit:      make(chan struct{}),
		abort:     make(chan struct{}),
		sem:       make(chan struct{}, opts.MaxConnections),
		listeners: map[io.Closer]struct{}{},
		conns:     map[net.Conn]struct{}{},
	}
}

// ErrServerClosed is returned by Listen and Serve after Shutdown.
var ErrServerClosed = errors.New("syslog: server closed")

// Items is the queue of received messages. It is closed when Shutdown
// has delivered everything read before it; a consumer ranges over it.
func (s *Server) Items() <-chan Item { return s.queue }

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	return Stats{
		Received: s.received.Load(), Dropped: s.dropped.Load(), FrameErrors: s.frameErrors.Load(),
		ConnsAccepted: s.accepted.Load(), ConnsRefused: s.refused.Load(), ConnsActive: s.active.Load(),
		IdleTimeouts: s.timeouts.Load(), TLSHandshakes: s.handshakes.Load(),
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// track registers a listener for Shutdown; false once shutting down.
func (s *Server) track(c io.Closer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.listeners[c] = struct{}{}
	s.wg.Add(1)
	return true
}

// ListenUDP serves syslog datagrams on addr ("127.0.0.1:514") and
// returns the bound address.
func (s *Server) ListenUDP(addr string) (net.Addr, error) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	if err := s.ServeUDP(pc); err != nil {
		return nil, err
	}
	return pc.LocalAddr(), nil
}

// ServeUDP reads datagrams from pc in a goroutine: one datagram, one
// message. The read loop never waits for the consumer: when the queue is
// full the datagram is dropped and counted (Stats.Dropped).
func (s *Server) ServeUDP(pc net.PacketConn) error {
	if !s.track(pc) {
		pc.Close()
		return ErrServerClosed
	}
	go s.readUDP(pc)
	return nil
}

// maxDatagram holds any UDP payload, so that the kernel never truncates
// a datagram silently.
const maxDatagram = 64 << 10

func (s *Server) readUDP(pc net.PacketConn) {
	defer s.wg.Done()
	buf := make([]byte, maxDatagram)
	var line int64
	for {
		n, peer, err := pc.ReadFrom(buf)
		if msg := trimFrame(buf[:n]); len(msg) > 0 {
			line++
			it := Item{Record: ingest.Record{Source: Source("udp", peer), Line: line}}
			if n > s.opts.MaxMessageSize {
				it.Err = fmt.Errorf("%w: datagram of %d bytes, the limit is %d", ErrFrameTooLong, n, s.opts.MaxMessageSize)
				s.frameErrors.Add(1)
			} else {
				it.Record.Data = append([]byte(nil), msg...)
			}
			select {
			case s.queue <- it:
				if it.Err == nil {
					s.received.Add(1)
				}
			default:
				s.drop(it)
			}
		}
		if err != nil {
			select {
			case <-s.quit:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.logf("syslog: udp read: %v", err) // e.g. ICMP errors; keep reading
		}
	}
}

// ListenTCP serves syslog over TCP on addr and returns the bound address.
func (s *Server) ListenTCP(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := s.ServeTCP(ln); err != nil {
		return nil, err
	}
	return ln.Addr(), nil
}

// ListenTLS serves syslog over TLS (RFC 5425) on addr with cfg, which
// holds the server's certificate and, for mutual TLS, ClientAuth and
// ClientCAs.
func (s *Server) ListenTLS(addr string, cfg *tls.Config) (net.Addr, error) {
	if cfg == nil || (len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil) {
		return nil, errors.New("syslog: TLS needs a certificate")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := s.ServeTLS(ln, cfg); err != nil {
		return nil, err
	}
	return ln.Addr(), nil
}

// ServeTCP accepts connections from ln in a goroutine.
func (s *Server) ServeTCP(ln net.Listener) error {
	if !s.track(ln) {
		ln.Close()
		return ErrServerClosed
	}
	go s.accept(ln, "tcp", nil)
	return nil
}

// ServeTLS accepts TLS connections from a plain TCP listener ln.
func (s *Server) ServeTLS(ln net.Listener, cfg *tls.Config) error {
	if !s.track(ln) {
		ln.Close()
		return ErrServerClosed
	}
	go s.accept(ln, "tls", cfg)
	return nil
}

func (s *Server) accept(ln net.Listener, transport string, cfg *tls.Config) {
	defer s.wg.Done()
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if err != nil {
			select {
			case <-s.quit:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait, as net/http does.
			s.logf("syslog: %s accept: %v; retrying in %v", transport, err, backoff)
			select {
			case <-time.After(backoff):
			case <-s.quit:
				return
			}
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		select {
		case s.sem <- struct{}{}:
		default:
			s.refused.Add(1)
			s.logf("syslog: %s connection from %v refused: %d connections open", transport, c.RemoteAddr(), s.opts.MaxConnections)
			c.Close()
			continue
		}
		if cfg != nil {
			c = tls.Server(c, cfg)
		}
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			<-s.sem
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		s.accepted.Add(1)
		s.active.Add(1)
		go s.serveConn(c, transport)
	}
}

// idleReader reads a connection with a deadline renewed before each
// read, so only a silent peer times out, and stops once the server shuts
// down. The second look at quit closes the race with Shutdown, which
// sets a past deadline after closing quit.
type idleReader struct {
	s *Server
	c net.Conn
}

var errShuttingDown = errors.New("server shutting down")

func (r idleReader) Read(p []byte) (int, error) {
	select {
	case <-r.s.quit:
		return 0, errShuttingDown
	default:
	}
	r.c.SetReadDeadline(time.Now().Add(r.s.opts.IdleTimeout))
	select {
	case <-r.s.quit:
		return 0, errShuttingDown
	default:
	}
	n, err := r.c.Read(p)
	if err != nil && r.s.isClosing() {
		err = errShuttingDown // the past deadline Shutdown set
	}
	return n, err
}

func (s *Server) serveConn(c net.Conn, transport string) {
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		<-s.sem
		s.active.Add(-1)
		s.wg.Done()
	}()
	src := Source(transport, c.RemoteAddr())
	if tc, ok := c.(*tls.Conn); ok {
		c.SetDeadline(time.Now().Add(s.opts.IdleTimeout))
		if s.isClosing() { // after the deadline, as in idleReader
			return
		}
		if err := tc.Handshake(); err != nil {
			s.logf("syslog: tls handshake with %v: %v", c.RemoteAddr(), err)
			return
		}
		c.SetDeadline(time.Time{})
		s.handshakes.Add(1)
	}
	f := newFramer(idleReader{s, c}, s.opts.MaxMessageSize)
	var line int64
	for {
		msg, err := f.next()
		if err == nil {
			line++
			rec := ingest.Record{Source: src, Line: line, Data: append([]byte(nil), msg...)}
			if !s.deliver(Item{Record: rec}) {
				return
			}
			s.received.Add(1)
			continue
		}
		var ne net.Error
		switch {
		case errors.Is(err, ErrFrameTooLong), errors.Is(err, ErrBadFrame):
			line++
			s.frameErrors.Add(1)
			if !s.deliver(Item{Record: ingest.Record{Source: src, Line: line}, Err: err}) {
				return
			}
			if errors.Is(err, ErrFrameTooLong) {
				continue
			}
		case errors.As(err, &ne) && ne.Timeout() && !s.isClosing():
			s.timeouts.Add(1)
		}
		return // io.EOF, a reset, the idle timeout, shutdown
	}
}

func (s *Server) isClosing() bool {
	select {
	case <-s.quit:
		return true
	default:
		return false
	}
}

// deliver queues an item, waiting while the queue is full: that stops
// reading the connection, so TCP flow control slows the sender. It gives
// up only when Shutdown's context ends.
func (s *Server) deliver(it Item) bool {
	select {
	case s.queue <- it:
		return true
	default:
	}
	select {
	case s.queue <- it:
		return true
	case <-s.abort:
		s.drop(it)
		return false
	}
}

func (s *Server) drop(it Item) {
	s.dropped.Add(1)
	if s.opts.OnDrop != nil {
		s.opts.OnDrop(it)
	}
}

// Shutdown stops the listeners and stops reading connections, delivers
// the messages already read (complete frames in the buffers included),
// then closes the queue. The consumer must keep draining Items until it
// is closed. If ctx ends first, what is left undelivered is dropped and
// counted, and ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.shutdown.Do(func() { err = s.stop(ctx) })
	return err
}

// Close is Shutdown without a deadline.
func (s *Server) Close() error { return s.Shutdown(context.Background()) }

func (s *Server) stop(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	close(s.quit)
	for l := range s.listeners {
		l.Close()
	}
	past := time.Now()
	for c := range s.conns {
		c.SetReadDeadline(past) // interrupt reads; buffered frames still go out
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		close(s.abort)
		<-done
	}
	close(s.queue)
	return err
}

// Feed consumes the queue into a pipeline until the queue is closed (by
// Shutdown) or ctx ends, flushing every interval (default one second)
// and at the end; the pipeline's Add runs on this goroutine only.
// Unreadable frames are rejected with their reason. The error is a store
// failure or ctx's; rows not yet flushed when ctx ends are lost.
func (s *Server) Feed(ctx context.Context, p *ingest.Pipeline, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Second
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case it, ok := <-s.queue:
			if !ok {
				return p.Flush(ctx)
			}
			if it.Err != nil {
				p.Reject(it.Record.Source, it.Record.Line, it.Err.Error())
				continue
			}
			if _, err := p.Add(ctx, it.Record); err != nil {
				return err
			}
		case <-tick.C:
			if err := p.Flush(ctx); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
