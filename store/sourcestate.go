package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SourceState is what the poller remembers about a source between polls
// and restarts, and the health record /status and /metrics show.
type SourceState struct {
	ID                  string // the source's id in the config
	ETag                string // for If-None-Match
	LastModified        string // for If-Modified-Since, as the server sent it
	Cursor              string // source-specific position, e.g. the last t.me post id
	LastSuccess         time.Time
	LastAttempt         time.Time
	ConsecutiveFailures int
	LastError           string
	NextPoll            time.Time
	Seen                bool // the first fetch is done (its items stored without alerting)
}

const sourceStateColumns = `id, etag, last_modified, cursor, last_success, last_attempt,
	consecutive_failures, last_error, next_poll, seen`

func scanSourceState(sc interface{ Scan(...any) error }) (SourceState, error) {
	var st SourceState
	err := sc.Scan(&st.ID, &st.ETag, &st.LastModified, &st.Cursor, dbTime{&st.LastSuccess}, dbTime{&st.LastAttempt},
		&st.ConsecutiveFailures, &st.LastError, dbTime{&st.NextPoll}, &st.Seen)
	return st, err
}

// GetSourceState returns the state stored for source id, or an error
// wrapping ErrNotFound for a source never stored (a new one: not Seen).
func (s *Store) GetSourceState(ctx context.Context, id string) (SourceState, error) {
	return s.getSourceState(ctx, s.r, id)
}

// GetSourceStateTx is GetSourceState within tx.
func (s *Store) GetSourceStateTx(ctx context.Context, tx *sql.Tx, id string) (SourceState, error) {
	return s.getSourceState(ctx, tx, id)
}

func (s *Store) getSourceState(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (SourceState, error) {
	row := q.QueryRowContext(ctx, s.d.rebind(`SELECT `+sourceStateColumns+` FROM source_state WHERE id = ?`), id)
	st, err := scanSourceState(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return SourceState{}, fmt.Errorf("store: get source state %s: %w", id, err)
	}
	return st, nil
}

// PutSourceState stores st, replacing the state stored for st.ID.
func (s *Store) PutSourceState(ctx context.Context, st SourceState) error {
	return s.putSourceState(ctx, s.w, st)
}

// PutSourceStateTx is PutSourceState within tx.
func (s *Store) PutSourceStateTx(ctx context.Context, tx *sql.Tx, st SourceState) error {
	return s.putSourceState(ctx, tx, st)
}

func (s *Store) putSourceState(ctx context.Context, e interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, st SourceState) error {
	if st.ID == "" {
		return errors.New("store: put source state: empty id")
	}
	_, err := e.ExecContext(ctx, s.d.rebind(`INSERT INTO source_state (`+sourceStateColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
			cursor = excluded.cursor, last_success = excluded.last_success, last_attempt = excluded.last_attempt,
			consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error,
			next_poll = excluded.next_poll, seen = excluded.seen`),
		st.ID, st.ETag, st.LastModified, st.Cursor, s.d.timeArg(st.LastSuccess), s.d.timeArg(st.LastAttempt),
		st.ConsecutiveFailures, st.LastError, s.d.timeArg(st.NextPoll), st.Seen)
	if err != nil {
		return fmt.Errorf("store: put source state %s: %w", st.ID, err)
	}
	return nil
}

// ListSourceStates returns every stored source state, by id.
func (s *Store) ListSourceStates(ctx context.Context) ([]SourceState, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sourceStateColumns+` FROM source_state ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list source states: %w", err)
	}
	defer rows.Close()
	var out []SourceState
	for rows.Next() {
		st, err := scanSourceState(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list source states: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list source states: %w", err)
	}
	return out, nil
}
