package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alertbot/alertbot/sources"
)

// metrics are what /metrics shows. Each Service has its own registry.
type metrics struct {
	reg          *prometheus.Registry
	fetched      *prometheus.CounterVec // items fetched, by source
	fetchErrors  *prometheus.CounterVec // failed polls, by source
	notModified  *prometheus.CounterVec // polls answered 304, by source
	matchSeconds prometheus.Histogram
	alerts       *prometheus.CounterVec // alerts raised, by rule
	deliveries   *prometheus.CounterVec // deliveries, by outcome
	digests      prometheus.Counter     // digests done: sent, or quiet and skipped
}

func newMetrics(queueDepth func(context.Context) (int, error)) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		fetched: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alertbot_items_fetched_total", Help: "Items sources returned, by source.",
		}, []string{"source"}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alertbot_fetch_errors_total", Help: "Polls that failed, by source.",
		}, []string{"source"}),
		notModified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alertbot_fetch_not_modified_total", Help: "Polls the source answered with not modified, by source.",
		}, []string{"source"}),
		matchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "alertbot_match_seconds", Help: "Time to match one item against every rule.",
			Buckets: prometheus.ExponentialBuckets(10e-6, 2, 14), // 10 µs to 80 ms
		}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alertbot_alerts_total", Help: "Alerts raised, by rule.",
		}, []string{"rule"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alertbot_deliveries_total", Help: "Attempts to deliver an alert to a chat, by outcome.",
		}, []string{"outcome"}),
		digests: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "alertbot_digests_total", Help: "Digests done: sent in full, or quiet and skipped as the chat chose.",
		}),
	}
	queue := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "alertbot_queue_depth", Help: "Jobs waiting to run: deliveries not yet made.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := queueDepth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	m.reg.MustRegister(m.fetched, m.fetchErrors, m.notModified, m.matchSeconds, m.alerts, m.deliveries, m.digests, queue,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) polled(r sources.Result) {
	switch {
	case r.Err != nil:
		m.fetchErrors.WithLabelValues(r.Source).Inc()
	case r.NotModified:
		m.notModified.WithLabelValues(r.Source).Inc()
	default:
		m.fetched.WithLabelValues(r.Source).Add(float64(len(r.Items)))
	}
}
