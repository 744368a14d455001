package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/ingest/syslog"
)

// syslogIngest runs the configured syslog listeners and feeds their
// messages through one pipeline into the event store.
type syslogIngest struct {
	srv   *syslog.Server
	done  chan struct{}
	addrs map[string]net.Addr
}

// startSyslog opens the listeners the configuration asks for; with none,
// it returns nil.
func startSyslog(ctx context.Context, cfg config.Syslog, tlsConf *tls.Config, out ingest.Appender, enrichers []ingest.Enricher, reg prometheus.Registerer, log *slog.Logger) (*syslogIngest, error) {
	if cfg.UDP == "" && cfg.TCP == "" && cfg.TLS == "" {
		return nil, nil
	}
	dropped := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "vigil_syslog_dropped_total",
		Help: "Syslog messages dropped: UDP datagrams arriving while the queue was full, or left at shutdown.",
	})
	srv := syslog.NewServer(syslog.ServerOptions{
		OnDrop: func(syslog.Item) { dropped.Inc() },
		Logf:   func(format string, args ...any) { log.Warn("syslog listener", "msg", fmt.Sprintf(format, args...)) },
	})
	reg.MustRegister(dropped, prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "vigil_syslog_received_total",
		Help: "Syslog messages received and queued.",
	}, func() float64 { return float64(srv.Stats().Received) }))
	s := &syslogIngest{srv: srv, done: make(chan struct{}), addrs: map[string]net.Addr{}}
	listen := func(name, addr string, f func(string) (net.Addr, error)) error {
		if addr == "" {
			return nil
		}
		a, err := f(addr)
		if err != nil {
			return fmt.Errorf("cannot listen for syslog over %s on %s: %w", name, addr, err)
		}
		s.addrs[name] = a
		return nil
	}
	err := listen("udp", cfg.UDP, srv.ListenUDP)
	if err == nil {
		err = listen("tcp", cfg.TCP, srv.ListenTCP)
	}
	if err == nil {
		err = listen("tls", cfg.TLS, func(a string) (net.Addr, error) { return srv.ListenTLS(a, tlsConf) })
	}
	if err != nil {
		srv.Close()
		return nil, err
	}
	go s.feed(context.WithoutCancel(ctx), out, enrichers, log)
	return s, nil
}

// feed runs pipelines over the queue until the server shuts down. A store
// failure loses the unflushed messages of that moment (syslog senders do
// not retry); the loop starts a new pipeline after a pause.
func (s *syslogIngest) feed(ctx context.Context, out ingest.Appender, enrichers []ingest.Enricher, log *slog.Logger) {
	defer close(s.done)
	for {
		p, err := ingest.NewPipeline(formats.Registry(), out, ingest.Options{Enrichers: enrichers})
		if err != nil {
			log.Error("syslog pipeline", "err", err)
			return
		}
		err = s.srv.Feed(ctx, p, time.Second)
		if err == nil {
			return // the queue closed: shut down
		}
		log.Error("syslog ingest failed; retrying", "err", err)
		time.Sleep(time.Second)
	}
}

// stop stops the listeners, lets the queued messages be stored, and waits.
func (s *syslogIngest) stop(ctx context.Context) {
	if s == nil {
		return
	}
	_ = s.srv.Shutdown(ctx)
	select {
	case <-s.done:
	case <-ctx.Done():
	}
}
