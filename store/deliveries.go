package store

import (
	"context"
	"fmt"
	"time"
)

// MarkDelivered records that the platform accepted alert alertID for chat
// (the whole delivery address, "telegram:-1001234567890/3"), so that a
// delivery job that runs again sends nothing. Marking twice is not an
// error and keeps the first time. The alert must be stored; deleting it
// deletes its records.
func (s *Store) MarkDelivered(ctx context.Context, alertID int64, chat string) error {
	_, err := s.exec(ctx, `INSERT INTO deliveries (alert_id, chat, delivered_at) VALUES (?, ?, ?)
		ON CONFLICT (alert_id, chat) DO NOTHING`, alertID, chat, s.d.timeArg(s.clock()))
	if err != nil {
		return fmt.Errorf("store: mark delivered %d to %s: %w", alertID, chat, err)
	}
	return nil
}

// Delivered reports whether MarkDelivered recorded alert alertID for chat.
// An unknown alert is not delivered, not an error.
func (s *Store) Delivered(ctx context.Context, alertID int64, chat string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT count(*) FROM deliveries WHERE alert_id = ? AND chat = ?`),
		alertID, chat).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: delivered %d to %s: %w", alertID, chat, err)
	}
	return n > 0, nil
}

// CountDelivered returns how many (alert, chat) deliveries were recorded at
// or after since (zero: all), by the Store's clock.
func (s *Store) CountDelivered(ctx context.Context, since time.Time) (int, error) {
	if since.IsZero() {
		since = time.Unix(0, 0)
	}
	var n int
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT count(*) FROM deliveries WHERE delivered_at >= ?`),
		s.d.timeArg(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count delivered: %w", err)
	}
	return n, nil
}
