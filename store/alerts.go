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

// FloodSummaryRule is the RuleID of a flood summary. No rule has an empty
// id, so the summary of an item never clashes with the item's ordinary
// alerts, and UNIQUE (source, item_id, rule_id) lets an item have at most
// one summary: a second is refused with ErrAlertExists.
const FloodSummaryRule = ""

// Alert is one rule matching one stored item, or a flood summary.
//
// A flood summary stands for the alerts one poll raised past the source's
// flood_limit (DESIGN.md §6). Those alerts are stored as usual, so lookups
// and digests see them, but only the summary is delivered. A summary has
// RuleID FloodSummaryRule and lists the ids of the alerts it stands for in
// Folded; its Source and ItemID are those of the first folded alert. Code
// that lists alerts for people (a digest) skips summaries, whose alerts it
// lists anyway.
type Alert struct {
	ID         int64 // set by InsertAlertTx
	Source     string
	ItemID     string
	RuleID     string // FloodSummaryRule for a flood summary
	RulesetID  string
	Severity   string
	Highlights []Highlight // stored as JSON text
	Countries  []string    // ISO 3166-1 alpha-2; stored as JSON text
	Folded     []int64     // a flood summary: the ids of its alerts; else empty. Stored as JSON text
	CreatedAt  time.Time   // the Store's clock when zero
}

// IsSummary reports whether a is a flood summary.
func (a Alert) IsSummary() bool { return len(a.Folded) > 0 }

// Highlight is a matched span, in bytes of the field's text (the shape of
// the match JSON in DESIGN.md §3).
type Highlight struct {
	Field string `json:"field"` // "title" or "text"
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

const alertColumns = `id, source, item_id, rule_id, ruleset_id, severity, highlights, countries, folded, created_at`

func scanAlert(sc interface{ Scan(...any) error }) (Alert, error) {
	var a Alert
	var highlights, countries, folded string
	if err := sc.Scan(&a.ID, &a.Source, &a.ItemID, &a.RuleID, &a.RulesetID, &a.Severity,
		&highlights, &countries, &folded, dbTime{&a.CreatedAt}); err != nil {
		return Alert{}, err
	}
	if err := json.Unmarshal([]byte(highlights), &a.Highlights); err != nil {
		return Alert{}, fmt.Errorf("alert %d highlights: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(countries), &a.Countries); err != nil {
		return Alert{}, fmt.Errorf("alert %d countries: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(folded), &a.Folded); err != nil {
		return Alert{}, fmt.Errorf("alert %d folded: %w", a.ID, err)
	}
	return a, nil
}

// InsertAlertTx stores a in tx, the transaction that also inserts the
// alert's delivery jobs (see WithTx), and returns its id. The item must be
// stored (SaveItems) first. One item raises at most one alert per rule: a
// second insert for (Source, ItemID, RuleID) returns an error wrapping
// ErrAlertExists and leaves tx usable.
//
// A flood summary (see Alert) is inserted after the alerts it folds, in the
// same transaction; it must have RuleID FloodSummaryRule and a non-empty
// Folded, and an ordinary alert a RuleID and no Folded. An item has at most
// one summary: a second returns an error wrapping ErrAlertExists.
func (s *Store) InsertAlertTx(ctx context.Context, tx *sql.Tx, a Alert) (int64, error) {
	ids, err := s.InsertAlertsTx(ctx, tx, []Alert{a})
	if err != nil {
		return 0, err
	}
	if ids[0] == 0 {
		return 0, fmt.Errorf("store: insert alert %s/%s %s: %w", a.Source, a.ItemID, a.RuleID, ErrAlertExists)
	}
	return ids[0], nil
}

// InsertAlertsTx is InsertAlertTx for the alerts of one poll, with one
// prepared statement: ids[i] is the id of alerts[i], or 0 when that alert
// existed already (ErrAlertExists for one).
func (s *Store) InsertAlertsTx(ctx context.Context, tx *sql.Tx, alerts []Alert) ([]int64, error) {
	stmt, err := tx.PrepareContext(ctx, s.d.rebind(`INSERT INTO alerts
		(source, item_id, rule_id, ruleset_id, severity, highlights, countries, folded, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, item_id, rule_id) DO NOTHING RETURNING id`))
	if err != nil {
		return nil, fmt.Errorf("store: insert alerts: %w", err)
	}
	defer stmt.Close()
	ids := make([]int64, len(alerts))
	for i, a := range alerts {
		if ids[i], err = s.insertAlert(ctx, stmt, a); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func (s *Store) insertAlert(ctx context.Context, stmt *sql.Stmt, a Alert) (int64, error) {
	switch {
	case a.RuleID == FloodSummaryRule && len(a.Folded) == 0:
		return 0, fmt.Errorf("store: insert alert %s/%s: no rule id (only a flood summary, with folded alerts, has none)", a.Source, a.ItemID)
	case a.RuleID != FloodSummaryRule && len(a.Folded) > 0:
		return 0, fmt.Errorf("store: insert alert %s/%s %s: folded alerts in an alert that is not a flood summary", a.Source, a.ItemID, a.RuleID)
	}
	highlights, err := json.Marshal(nonNil(a.Highlights))
	if err != nil {
		return 0, fmt.Errorf("store: insert alert: %w", err)
	}
	countries, err := json.Marshal(nonNil(a.Countries))
	if err != nil {
		return 0, fmt.Errorf("store: insert alert: %w", err)
	}
	folded, err := json.Marshal(nonNil(a.Folded))
	if err != nil {
		return 0, fmt.Errorf("store: insert alert: %w", err)
	}
	created := a.CreatedAt
	if created.IsZero() {
		created = s.clock()
	}
	var id int64
	err = stmt.QueryRowContext(ctx, a.Source, a.ItemID, a.RuleID, a.RulesetID, a.Severity, string(highlights),
		string(countries), string(folded), s.d.timeArg(created)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // exists
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
// most limit (≤ 0: no limit): what a digest covers. Flood summaries are
// listed too (see Alert).
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
