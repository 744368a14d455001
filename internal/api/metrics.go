package api

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the server's Prometheus metrics, on their own registry so
// tests can run several servers in one process.
type Metrics struct {
	Registry      *prometheus.Registry
	HTTPRequests  *prometheus.CounterVec   // code, method, route
	HTTPDuration  *prometheus.HistogramVec // route
	RowsIngested  *prometheus.CounterVec   // table
	QueryDuration *prometheus.HistogramVec // kind, outcome
}

// NewMetrics registers Vigil's metrics and the Go and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_http_requests_total",
			Help: "HTTP requests by status code, method and route.",
		}, []string{"code", "method", "route"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		RowsIngested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_rows_ingested_total",
			Help: "Rows committed to the event store, by table.",
		}, []string{"table"}),
		QueryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_query_duration_seconds",
			Help:    "Event store query latency, by outcome.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"outcome"}),
	}
	m.Registry.MustRegister(m.HTTPRequests, m.HTTPDuration, m.RowsIngested, m.QueryDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
