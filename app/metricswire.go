package app

import (
	"log/slog"
	"slices"
	"time"

	"github.com/boussole/boussole/app/metrics"
)

// newMetrics builds the Core's metrics: its configured mediation queues
// are their queue labels.
func newMetrics(cc CoreConfig, now func() time.Time, log *slog.Logger) *metrics.Metrics {
	var queues []string
	for q := range cc.Engine.Mediation.Queues {
		queues = append(queues, q)
	}
	slices.Sort(queues)
	return metrics.New(metrics.Options{Now: now, Queues: queues, Log: log, Version: cc.Version})
}
