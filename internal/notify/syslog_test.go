package notify

import (
	"bufio"
	"context"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSyslogMessage(t *testing.T) {
	s, err := NewSyslog(SyslogOptions{Name: "siem", Network: "udp", Address: "127.0.0.1:514", Version: "0.3.0"})
	if err != nil {
		t.Fatal(err)
	}
	s.hostname = "vigil01"
	ev := Event{Type: IncidentCreated, Time: time.Date(2026, 11, 27, 1, 2, 3, 456000, time.UTC), Subject: "9", Title: "t", Severity: "High"}
	want := "<162>1 2026-11-27T01:02:03.000456Z vigil01 vigil - incident.created - CEF:0|Vigil|Vigil XDR|0.3.0|incident.created|t|8|rt=1795741323000 externalId=9 cat=incident.created"
	if got := s.Message(ev); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	s.format = "rfc3164"
	if got := s.Message(ev); !strings.HasPrefix(got, "<162>Nov 27 01:02:03 vigil01 vigil: CEF:0|") {
		t.Errorf("rfc3164: %s", got)
	}
}

func TestNewSyslogRefuses(t *testing.T) {
	tests := []SyslogOptions{
		{Network: "http", Address: "127.0.0.1:514"},
		{Network: "udp", Address: "127.0.0.1"},
		{Network: "udp", Address: "127.0.0.1:514", Format: "json"},
		{Network: "tcp", Address: "127.0.0.1:514", Framing: "crlf"},
		{Network: "tcp", Address: "127.0.0.1:514", Facility: "local9"},
	}
	for _, o := range tests {
		if _, err := NewSyslog(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestSyslogUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s, _ := NewSyslog(SyslogOptions{Name: "siem", Network: "udp", Address: pc.LocalAddr().String()})
	defer s.Close()
	for i := range 3 {
		if err := s.Deliver(context.Background(), Delivery{Event: Event{Type: IncidentUpdated, Subject: strconv.Itoa(i), Time: time.Now()}}); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 64<<10)
	_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i := range 3 {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(buf[:n]), "externalId="+strconv.Itoa(i)) {
			t.Errorf("datagram %d: %s", i, buf[:n])
		}
	}
}

var octetFrame = regexp.MustCompile(`^(\d+) `)

// TestSyslogTCPReconnects: framing is right, and a dropped connection
// fails one attempt and reconnects on the next.
func TestSyslogTCPReconnects(t *testing.T) {
	for _, framing := range []string{"octet", "newline"} {
		t.Run(framing, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			msgs := make(chan string, 10)
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					r := bufio.NewReader(c)
					// Read one message per connection, then hang up.
					if framing == "newline" {
						line, err := r.ReadString('\n')
						if err == nil {
							msgs <- strings.TrimSuffix(line, "\n")
						}
					} else {
						head, err := r.ReadString(' ')
						if err == nil {
							n, _ := strconv.Atoi(strings.TrimSpace(head))
							b := make([]byte, n)
							if _, err := io.ReadFull(r, b); err == nil {
								msgs <- string(b)
							}
						}
					}
					c.Close()
				}
			}()
			s, _ := NewSyslog(SyslogOptions{Name: "siem", Network: "tcp", Address: ln.Addr().String(), Framing: framing})
			defer s.Close()
			send := func(subject string) error {
				return s.Deliver(context.Background(), Delivery{Event: Event{Type: IncidentUpdated, Subject: subject, Time: time.Now()}})
			}
			if err := send("first"); err != nil {
				t.Fatal(err)
			}
			got := <-msgs
			if !strings.Contains(got, "externalId=first") || strings.Contains(got, "\n") {
				t.Errorf("message %q", got)
			}
			// The server hung up: writes fail until the sender notices,
			// then the next attempt reconnects.
			var delivered bool
			for range 50 {
				if send("second") == nil {
					select {
					case m := <-msgs:
						delivered = strings.Contains(m, "externalId=second")
					case <-time.After(200 * time.Millisecond):
					}
				}
				if delivered {
					break
				}
			}
			if !delivered {
				t.Error("never reconnected")
			}
		})
	}
}
