package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrAlertExists is returned (wrapped) by InsertAlertTx when the item has
// already raised an alert for the rule: the caller must not deliver it
// again. The transaction stays usable.
var ErrAlertExists = errors.New("alert exists")

// Alert is one rule matching one stored item.
type Alert struct {
	ID         int64 // set by InsertAlertTx
	Source     string
	ItemID     string
	RuleID     string
	RulesetID  string
	Severity   string
	Highlights []Highlight // stored as JSON text
	Countries  []string    // ISO 3166-1 alpha-2; stored as JSON text
	CreatedAt  time.Time   // the Store's clock when zero
}

// Highlight is a matched span, in bytes of the field's text (the shape of
// the match JSON in DESIGN.md §3).
type Highlight struct {
	Field string `json:"field"` // "title" or "text"
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

const alertColumns = `id, source, item_id, rule_id, ruleset_id, severity, highlights, countries, created_at`

func scanAlert(sc interface{ Scan(...any) error }) (Alert, error) {
	var a Alert
	var highlights, countries string
	if err := sc.Scan(&a.ID, &a.Source, &a.ItemID, &a.RuleID, &a.RulesetID, &a.Severity,
		&highlights, &countries, dbTime{&a.CreatedAt}); err != nil {
		return Alert{}, err
	}
	if err := json.Unmarshal([]byte(highlights), &a.Highlights); err != nil {
		return Alert{}, fmt.Errorf("alert %d highlights: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(countries), &a.Countries); err != nil {
		return Alert{}, fmt.Errorf("alert %d countries: %w", a.ID, err)
	}
	return a, nil
}

// InsertAlertTx stores a in tx, the transaction that also inserts the
// alert's delivery jobs (see WithTx), and returns its id. The item must be
// stored (SaveItems) first. One item raises at most one alert per rule: a
// second insert for (Source, ItemID, RuleID) returns an error wrapping
// ErrAlertExists and leaves tx usable.
func (s *Store) InsertAlertTx(ctx context.Context, tx *sql.Tx, a Alert) (int64, error) {
	highlights, err := json.Marshal(nonNil(a.Highlights))
	if err != nil {
		return 0, fmt.Errorf("store: insert alert: %w", err)
	}
	countries, err := json.Marshal(nonNil(a.Countries))
	if err != nil {
		return 0, fmt.Errorf("store: insert alert: %w", err)
	}
	created := a.CreatedAt
	if created.IsZero() {
		created = s.clock()
	}
	var id int64
	err = tx.QueryRowContext(ctx, s.d.rebind(`INSERT INTO alerts
		(source, item_id, rule_id, ruleset_id, severity, highlights, countries, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, item_id, rule_id) DO NOTHING RETURNING id`),
		a.Source, a.ItemID, a.RuleID, a.RulesetID, a.Severity, string(highlights), string(countries),
		s.d.timeArg(created)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrAlertExists
	}
	if err != nil {
		return 0, fmt.Errorf("store: insert alert %s/%s %s: %w", a.Source, a.ItemID, a.RuleID, err)
	}
	return id, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// GetAlert returns the alert with id, or an error wrapping ErrNotFound.
func (s *Store) GetAlert(ctx context.Context, id int64) (Alert, error) {
	a, err := scanAlert(s.r.QueryRowContext(ctx, s.d.rebind(`SELECT `+alertColumns+` FROM alerts WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Alert{}, fmt.Errorf("store: get alert %d: %w", id, err)
	}
	return a, nil
}

// ListAlerts returns the alerts created at or after since, oldest first, at
// most limit (≤ 0: no limit): what a digest covers.
func (s *Store) ListAlerts(ctx context.Context, since time.Time, limit int) ([]Alert, error) {
	if since.IsZero() {
		since = time.Unix(0, 0)
	}
	q := `SELECT ` + alertColumns + ` FROM alerts WHERE created_at >= ? ORDER BY created_at, id`
	args := []any{s.d.timeArg(since)}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.r.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list alerts: %w", err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list alerts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list alerts: %w", err)
	}
	return out, nil
}
