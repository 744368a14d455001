package syslog

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

// Every listener in these tests binds loopback only.
const loopback = "127.0.0.1:0"

// wait bounds every wait on a channel: a hang fails the test, and no test
// sleeps to synchronise.
const wait = 10 * time.Second

func newTestServer(t *testing.T, opts ServerOptions) *Server {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		go func() { // drain whatever is left so Shutdown can finish
			for range s.Items() {
			}
		}()
		s.Shutdown(ctx)
	})
	return s
}

func recv(t *testing.T, s *Server) Item {
	t.Helper()
	select {
	case it, ok := <-s.Items():
		if !ok {
			t.Fatal("queue closed")
		}
		return it
	case <-time.After(wait):
		t.Fatal("no message within", wait)
	}
	return Item{}
}

func expectMessages(t *testing.T, s *Server, source string, want ...string) {
	t.Helper()
	for k, w := range want {
		it := recv(t, s)
		if it.Err != nil {
			t.Fatalf("message %d: unexpected error item: %v", k+1, it.Err)
		}
		if got := string(it.Record.Data); got != w {
			t.Errorf("message %d = %q, want %q", k+1, got, w)
		}
		if source != "" && it.Record.Source != source {
			t.Errorf("message %d: source %q, want %q", k+1, it.Record.Source, source)
		}
		if it.Record.Line != int64(k+1) {
			t.Errorf("message %d: line %d", k+1, it.Record.Line)
		}
	}
}

func expectError(t *testing.T, s *Server, target error) {
	t.Helper()
	it := recv(t, s)
	if it.Err == nil || !errors.Is(it.Err, target) {
		t.Fatalf("got item %q / %v, want error %v", it.Record.Data, it.Err, target)
	}
	if it.Record.Data != nil {
		t.Errorf("error item carries data")
	}
}

func TestUDP(t *testing.T) {
	s := newTestServer(t, ServerOptions{MaxMessageSize: 1024})
	addr, err := s.ListenUDP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	src := Source("udp", c.LocalAddr())
	if !strings.HasPrefix(src, "syslog/udp 127.0.0.1:") {
		t.Fatalf("source %q", src)
	}
	for _, m := range []string{
		"<13>Jun 15 12:00:00 host app: one\n", // a trailing newline goes
		"<14>1 - host app - - - two\x00",      // so does a trailing NUL
		"\n",                                  // an empty datagram is nothing
		strings.Repeat("x", 1025),             // over the limit: an error item
		"<13>three",
	} {
		if _, err := c.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	expectMessages(t, s, src, "<13>Jun 15 12:00:00 host app: one", "<14>1 - host app - - - two")
	expectError(t, s, ErrFrameTooLong)
	it := recv(t, s)
	if string(it.Record.Data) != "<13>three" || it.Record.Line != 4 {
		t.Errorf("got %q line %d", it.Record.Data, it.Record.Line)
	}
	if st := s.Stats(); st.Received != 3 || st.FrameErrors != 1 || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
	// The peer address travels in the source.
	if tr, ap, ok := Peer(it.Record.Source); !ok || tr != "udp" || ap.Addr().String() != "127.0.0.1" {
		t.Errorf("Peer(%q) = %s %v %v", it.Record.Source, tr, ap, ok)
	}
}

func dialTCP(t *testing.T, addr net.Addr) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// octet frames messages with RFC 6587 octet counting.
func octet(msgs ...string) []byte {
	var b bytes.Buffer
	for _, m := range msgs {
		fmt.Fprintf(&b, "%d %s", len(m), m)
	}
	return b.Bytes()
}

func TestTCPOctetCounting(t *testing.T) {
	s := newTestServer(t, ServerOptions{MaxMessageSize: 64})
	addr, err := s.ListenTCP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	c := dialTCP(t, addr)
	src := Source("tcp", c.LocalAddr())
	// Messages may hold newlines; frames may be split anywhere.
	data := octet("<13>1 - h a - - - multi\nline", "<13>two")
	data = append(data, []byte("\n")...) // a stray newline between frames is skipped
	data = append(data, octet(strings.Repeat("y", 65), "<13>after the long one")...)
	for i := 0; i < len(data); i += 7 {
		if _, err := c.Write(data[i:min(i+7, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	expectMessages(t, s, src, "<13>1 - h a - - - multi\nline", "<13>two")
	expectError(t, s, ErrFrameTooLong)
	it := recv(t, s)
	if string(it.Record.Data) != "<13>after the long one" || it.Record.Line != 4 {
		t.Errorf("got %q line %d", it.Record.Data, it.Record.Line)
	}

	// A broken count ends the connection after an error item.
	c.Write([]byte("12x<13>broken"))
	expectError(t, s, ErrBadFrame)
	c.SetReadDeadline(time.Now().Add(wait))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("connection still open after a bad frame: %v", err)
	}
}

func TestTCPNewline(t *testing.T) {
	s := newTestServer(t, ServerOptions{MaxMessageSize: 64})
	addr, err := s.ListenTCP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	c := dialTCP(t, addr)
	src := Source("tcp", c.LocalAddr())
	data := "<13>Jun 15 12:00:00 host app: one\r\n\n<14>two\n" +
		strings.Repeat("z", 200) + "\n" + // too long: skipped to its newline
		"<15>three\n<16>last, no newline"
	if _, err := c.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	expectMessages(t, s, src, "<13>Jun 15 12:00:00 host app: one", "<14>two")
	expectError(t, s, ErrFrameTooLong)
	it := recv(t, s)
	if string(it.Record.Data) != "<15>three" {
		t.Errorf("got %q", it.Record.Data)
	}
	// The last line counts once the sender closes cleanly.
	c.(*net.TCPConn).CloseWrite()
	it = recv(t, s)
	if string(it.Record.Data) != "<16>last, no newline" || it.Record.Line != 5 {
		t.Errorf("got %q line %d", it.Record.Data, it.Record.Line)
	}
}

// TestTCPNewlineDigits: newline-framed lines may start with digits (a
// syslog file's RFC 3339 stamps); only digits and a space mean octets.
func TestTCPNewlineDigits(t *testing.T) {
	s := newTestServer(t, ServerOptions{})
	addr, err := s.ListenTCP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	c := dialTCP(t, addr)
	c.Write([]byte("2024-06-15T10:00:00.123456+02:00 web01 systemd[1]: Started.\n2024-06-15T10:00:01+02:00 web01 cron[2]: x\n"))
	expectMessages(t, s, "", "2024-06-15T10:00:00.123456+02:00 web01 systemd[1]: Started.", "2024-06-15T10:00:01+02:00 web01 cron[2]: x")

	// A short first octet frame is not held back waiting for more bytes.
	c2 := dialTCP(t, addr)
	c2.Write([]byte("7 <13>abc"))
	expectMessages(t, s, "", "<13>abc")
}

// testCert makes a self-signed certificate for 127.0.0.1.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "vigil syslog test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

func TestTLS(t *testing.T) {
	cert, pool := testCert(t)
	s := newTestServer(t, ServerOptions{})
	if _, err := s.ListenTLS(loopback, &tls.Config{}); err == nil {
		t.Error("ListenTLS without a certificate succeeded")
	}
	addr, err := s.ListenTLS(loopback, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.Dial("tcp", addr.String(), &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	src := Source("tls", c.LocalAddr())
	// RFC 5425 uses octet counting.
	if _, err := c.Write(octet("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - over TLS", "<13>second")); err != nil {
		t.Fatal(err)
	}
	expectMessages(t, s, src, "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - over TLS", "<13>second")
	if st := s.Stats(); st.TLSHandshakes != 1 {
		t.Errorf("stats %+v", st)
	}

	// A client that does not trust the certificate gets nothing through.
	if c2, err := tls.Dial("tcp", addr.String(), &tls.Config{RootCAs: x509.NewCertPool()}); err == nil {
		c2.Close()
		t.Error("untrusted handshake succeeded")
	}
}

// TestUDPDropsWhenQueueFull: a consumer that does not keep up costs UDP
// datagrams, counted, and never blocks the read loop.
func TestUDPDropsWhenQueueFull(t *testing.T) {
	drops := make(chan Item, 100)
	s := newTestServer(t, ServerOptions{QueueSize: 4, OnDrop: func(it Item) { drops <- it }})
	addr, err := s.ListenUDP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const sent = 40
	for i := 1; i <= sent; i++ {
		fmt.Fprintf(c, "<13>message %d", i)
	}
	// Nobody consumes: 4 fit in the queue, the rest are dropped.
	for k := 0; k < sent-4; k++ {
		select {
		case <-drops:
		case <-time.After(wait):
			t.Fatalf("%d drops seen, want %d (stats %+v)", k, sent-4, s.Stats())
		}
	}
	for i := 1; i <= 4; i++ {
		if it := recv(t, s); string(it.Record.Data) != fmt.Sprintf("<13>message %d", i) {
			t.Errorf("queued message %d = %q", i, it.Record.Data)
		}
	}
	if st := s.Stats(); st.Dropped != sent-4 || st.Received != 4 {
		t.Errorf("stats %+v", st)
	}
}

// TestTCPBackpressure: a full queue stops reading the connection, so the
// sender blocks; nothing is dropped, and once the consumer catches up
// every message arrives in order.
func TestTCPBackpressure(t *testing.T) {
	s := newTestServer(t, ServerOptions{QueueSize: 2})
	addr, err := s.ListenTCP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	c := dialTCP(t, addr)
	// Far more than socket buffers and the reader's buffer hold.
	msg := func(i int) string { return fmt.Sprintf("<13>%08d %s", i, strings.Repeat("p", 1000)) }
	var data bytes.Buffer
	const total = 24_000
	for i := 0; i < total; i++ {
		data.Write(octet(msg(i)))
	}
	frame := data.Len() / total
	c.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
	n, err := c.Write(data.Bytes())
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("write of %d bytes did not block: n=%d err=%v", data.Len(), n, err)
	}
	complete := n / frame
	c.Close() // a partial last frame becomes an error item

	for i := 0; i < complete; i++ {
		it := recv(t, s)
		if it.Err != nil || string(it.Record.Data) != msg(i) {
			t.Fatalf("message %d: %.20q %v", i, it.Record.Data, it.Err)
		}
	}
	if n%frame != 0 {
		expectError(t, s, ErrBadFrame)
	}
	if st := s.Stats(); st.Dropped != 0 || st.Received != int64(complete) {
		t.Errorf("stats %+v, want %d received", st, complete)
	}
}

func TestMaxConnectionsAndIdleTimeout(t *testing.T) {
	s := newTestServer(t, ServerOptions{MaxConnections: 1, IdleTimeout: 200 * time.Millisecond})
	addr, err := s.ListenTCP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	a := dialTCP(t, addr)
	a.Write([]byte("<13>a\n"))
	recv(t, s) // a is being served

	b := dialTCP(t, addr)
	b.SetReadDeadline(time.Now().Add(wait))
	if _, err := b.Read(make([]byte, 1)); err == nil {
		t.Error("second connection was served")
	}
	// a says nothing more and is closed for idleness.
	a.SetReadDeadline(time.Now().Add(wait))
	if _, err := a.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle connection: %v", err)
	}
	st := s.Stats()
	if st.ConnsRefused != 1 || st.IdleTimeouts != 1 || st.ConnsAccepted != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestShutdownDrains: messages read before Shutdown are delivered, then
// the queue closes; new connections are refused.
func TestShutdownDrains(t *testing.T) {
	s := NewServer(ServerOptions{})
	addr, err := s.ListenTCP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	uaddr, err := s.ListenUDP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	c := dialTCP(t, addr)
	c.Write([]byte("<13>one\n<13>two\n<13>three\n<13>partial"))
	if it := recv(t, s); string(it.Record.Data) != "<13>one" {
		t.Fatalf("got %q", it.Record.Data)
	}
	done := make(chan error)
	go func() { done <- s.Shutdown(context.Background()) }()
	var got []string
	for it := range s.Items() {
		if it.Err != nil {
			got = append(got, "error: "+it.Err.Error())
			continue
		}
		got = append(got, string(it.Record.Data))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []string{"<13>two", "<13>three", "error: malformed syslog frame: stream ends inside a line (server shutting down)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after shutdown got %q, want %q", got, want)
	}
	if _, err := net.Dial("tcp", addr.String()); err == nil {
		t.Error("listener still accepts")
	}
	if _, err := s.ListenTCP(loopback); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Listen after Shutdown: %v", err)
	}
	_ = uaddr
	if err := s.Close(); err != nil { // idempotent
		t.Error(err)
	}
}

// TestShutdownDeadline: with no consumer, Shutdown gives up at its
// deadline, counts what it abandons, and still closes the queue.
func TestShutdownDeadline(t *testing.T) {
	s := NewServer(ServerOptions{QueueSize: 1})
	addr, err := s.ListenTCP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	c := dialTCP(t, addr)
	c.Write([]byte("<13>1\n<13>2\n<13>3\n"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Shutdown(ctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v", err)
	}
	n := 0
	for range s.Items() {
		n++
	}
	if st := s.Stats(); int64(n) != st.Received || n > 1 {
		t.Errorf("%d items after shutdown, stats %+v", n, st)
	}
}

// TestFeed runs the whole path: UDP and TCP listeners, the queue, one
// pipeline goroutine, detection, normalization, the store.
func TestFeed(t *testing.T) {
	opts := Options{Collector: "collector1"}
	reg := ingest.NewRegistry(NewCEF(opts), NewSyslog(opts), ingest.Raw{})
	mem := &ingesttest.Store{Keep: true, Appended: make(chan struct{}, 1)}
	p, err := ingest.NewPipeline(reg, mem, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(ServerOptions{MaxMessageSize: 512})
	uaddr, err := s.ListenUDP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	taddr, err := s.ListenTCP(loopback)
	if err != nil {
		t.Fatal(err)
	}
	fed := make(chan error)
	go func() { fed <- s.Feed(context.Background(), p, 10*time.Millisecond) }()

	u, err := net.Dial("udp", uaddr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.Write([]byte("<38>Jun 15 11:00:00 bastion sshd[1]: Failed password for root from 198.51.100.7 port 4000 ssh2"))
	c := dialTCP(t, taddr)
	c.Write(octet("CEF:0|Acme|IDS|1|42|Port scan|7|src=10.0.0.1 dpt=22", strings.Repeat("L", 600), "<13>1 - - - - - - done"))
	c.(*net.TCPConn).CloseWrite()

	// The pipeline flushes every 10ms: wait for the rows (the rejected
	// frame comes before the last message on its connection).
	for mem.Count("Syslog") < 2 || mem.Count("CommonSecurityLog") < 1 {
		select {
		case <-mem.Appended:
		case <-time.After(wait):
			t.Fatalf("rows not appended; stats %+v", s.Stats())
		}
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-fed; err != nil {
		t.Fatal(err)
	}
	sum := p.Summary()
	if sum.Records != 4 || sum.Rejected != 1 || sum.Rows["Syslog"] != 2 || sum.Rows["CommonSecurityLog"] != 1 || sum.Rows["DeviceLogonEvents"] != 1 {
		t.Fatalf("summary %+v", sum)
	}
	if !strings.Contains(sum.Errors[0].Reason, "frame too long") || !strings.HasPrefix(sum.Errors[0].File, "syslog/tcp 127.0.0.1:") {
		t.Errorf("rejection %+v", sum.Errors[0])
	}
	syslogT, _ := schemaCol("Syslog", "HostIP")
	for _, row := range mem.Rows("Syslog") {
		if row[syslogT] != "127.0.0.1" {
			t.Errorf("HostIP = %v", row[syslogT])
		}
	}
	comp, _ := schemaCol("CommonSecurityLog", "Computer")
	if got := mem.Rows("CommonSecurityLog")[0][comp]; got != "127.0.0.1" {
		t.Errorf("CEF Computer = %v", got)
	}
}

func schemaCol(table, col string) (int, bool) {
	var rs ingest.RowSet
	r := rs.New(table)
	_, i, ok := r.Table.Column(col)
	return i, ok
}
