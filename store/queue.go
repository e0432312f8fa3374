package store

import (
	"context"
	"fmt"
)

// QueueDepth returns the number of River jobs waiting to run or running:
// those in River's table river_job in the states available, scheduled
// (periodic digests included), retryable and running. Before River's
// migrations have created the table it returns 0 and no error. For
// /metrics.
func (s *Store) QueueDepth(ctx context.Context) (int, error) {
	var tables int
	if err := s.r.QueryRowContext(ctx, s.d.rebind(s.d.tableExists), "river_job").Scan(&tables); err != nil {
		return 0, fmt.Errorf("store: queue depth: %w", err)
	}
	if tables == 0 {
		return 0, nil
	}
	// The states are literals, which PostgreSQL reads as values of River's
	// enum type river_job_state (so its index on state serves); a text
	// argument would not compare with it.
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: queue depth: %w", err)
	}
	return n, nil
}
