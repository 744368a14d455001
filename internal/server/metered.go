package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/store"
)

// metered wraps the event store to count committed rows and time queries,
// whichever part of Vigil appends or queries.
type metered struct {
	store.Store
	m *api.Metrics
}

func (s metered) Append(ctx context.Context, b store.Batch) error {
	if err := s.Store.Append(ctx, b); err != nil {
		return err
	}
	for _, t := range b.Tables {
		s.m.RowsIngested.WithLabelValues(t.Table).Add(float64(len(t.Rows)))
	}
	return nil
}

func (s metered) Query(ctx context.Context, q store.Query) (*store.Result, error) {
	start := time.Now()
	res, err := s.Store.Query(ctx, q)
	outcome := "ok"
	switch {
	case errors.Is(err, store.ErrCanceled):
		outcome = "canceled"
	case err != nil:
		outcome = "error"
	}
	s.m.QueryDuration.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	return res, err
}

// storeCollector exports the event store's size and row counts. Stats are
// cached briefly so frequent scrapes do not scan the store.
type storeCollector struct {
	st       store.Store
	disk     *prometheus.Desc
	rows     *prometheus.Desc
	mu       sync.Mutex
	cached   store.Stats
	cachedAt time.Time
}

func newStoreCollector(st store.Store) *storeCollector {
	return &storeCollector{
		st:   st,
		disk: prometheus.NewDesc("vigil_store_disk_bytes", "Bytes the event store uses on disk.", nil, nil),
		rows: prometheus.NewDesc("vigil_store_rows", "Rows in the event store, by table.", []string{"table"}, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.disk
	ch <- c.rows
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.cachedAt) > 15*time.Second {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := c.st.Stats(ctx)
		cancel()
		if err == nil {
			c.cached, c.cachedAt = st, time.Now()
		}
	}
	ch <- prometheus.MustNewConstMetric(c.disk, prometheus.GaugeValue, float64(c.cached.DiskBytes))
	for table, n := range c.cached.Rows {
		ch <- prometheus.MustNewConstMetric(c.rows, prometheus.GaugeValue, float64(n), table)
	}
}
