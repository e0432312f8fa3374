package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DigestSchedule is a chat's digest schedule.
type DigestSchedule struct {
	Chat    string    // the whole chat address
	Cron    string    // five cron fields; "" means the chat turned digests off (which overrides the config's schedule)
	TZ      string    // IANA time zone
	Quiet   string    // "": a quiet period sends one short line; "skip": it sends nothing
	Static  bool      // from the config file
	Since   time.Time // when this schedule took effect: the first digest covers from here. Set by the store (its clock) when the row is new or Cron or TZ changed; kept otherwise
	LastDue time.Time // the latest scheduled time a digest was queued for; zero: none
}

const digestScheduleColumns = `chat, cron, tz, quiet, static, since, last_due`

func scanDigestSchedule(sc interface{ Scan(...any) error }) (DigestSchedule, error) {
	var d DigestSchedule
	err := sc.Scan(&d.Chat, &d.Cron, &d.TZ, &d.Quiet, &d.Static, dbTime{&d.Since}, dbTime{&d.LastDue})
	return d, err
}

// upsertDigestSchedule inserts a schedule (arguments: chat, cron, tz,
// quiet, static, since) or updates the chat's: since changes only with
// cron or tz (the right-hand sides read the row as it was), last_due never.
const upsertDigestSchedule = `INSERT INTO digest_schedules (` + digestScheduleColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, NULL)
	ON CONFLICT (chat) DO UPDATE SET
		since = CASE WHEN digest_schedules.cron = excluded.cron AND digest_schedules.tz = excluded.tz
			THEN digest_schedules.since ELSE excluded.since END,
		cron = excluded.cron, tz = excluded.tz, quiet = excluded.quiet, static = excluded.static`

// SetDigestSchedule stores a chat's own schedule (Static false), replacing
// any (a static one too). Since: see DigestSchedule; d.Since and d.LastDue
// are ignored. LastDue is kept.
func (s *Store) SetDigestSchedule(ctx context.Context, d DigestSchedule) error {
	if d.Chat == "" {
		return errors.New("store: set digest schedule: chat is required")
	}
	_, err := s.exec(ctx, upsertDigestSchedule, d.Chat, d.Cron, d.TZ, d.Quiet, false, s.d.timeArg(s.clock()))
	if err != nil {
		return fmt.Errorf("store: set digest schedule %s: %w", d.Chat, err)
	}
	return nil
}

// SyncStaticDigestSchedules makes the static schedules those of the
// config, in one transaction: static rows whose chat is not in ds go; the
// others are inserted or updated (Since as above, LastDue kept); a chat's
// own schedule (Static false) is left as it is — the chat's choice wins
// over the config.
func (s *Store) SyncStaticDigestSchedules(ctx context.Context, ds []DigestSchedule) error {
	now := s.d.timeArg(s.clock())
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		keep := make(map[string]bool, len(ds))
		for _, d := range ds {
			if d.Chat == "" {
				return errors.New("chat is required")
			}
			keep[d.Chat] = true
		}
		var stale []string
		rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT chat FROM digest_schedules WHERE static = ?`), true)
		if err != nil {
			return err
		}
		for rows.Next() {
			var chat string
			if err := rows.Scan(&chat); err != nil {
				rows.Close()
				return err
			}
			if !keep[chat] {
				stale = append(stale, chat)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, chat := range stale {
			if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM digest_schedules WHERE chat = ? AND static = ?`), chat, true); err != nil {
				return err
			}
		}
		for _, d := range ds {
			if _, err := tx.ExecContext(ctx, s.d.rebind(upsertDigestSchedule+` WHERE digest_schedules.static = ?`),
				d.Chat, d.Cron, d.TZ, d.Quiet, true, now, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: sync static digest schedules: %w", err)
	}
	return nil
}

// DigestSchedules returns every schedule, "off" ones included, by chat.
func (s *Store) DigestSchedules(ctx context.Context) ([]DigestSchedule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+digestScheduleColumns+` FROM digest_schedules ORDER BY chat`)
	if err != nil {
		return nil, fmt.Errorf("store: digest schedules: %w", err)
	}
	defer rows.Close()
	var out []DigestSchedule
	for rows.Next() {
		d, err := scanDigestSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("store: digest schedules: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: digest schedules: %w", err)
	}
	return out, nil
}

// DigestScheduleOf returns the chat's schedule, or an error wrapping
// ErrNotFound.
func (s *Store) DigestScheduleOf(ctx context.Context, chat string) (DigestSchedule, error) {
	d, err := scanDigestSchedule(s.r.QueryRowContext(ctx,
		s.d.rebind(`SELECT `+digestScheduleColumns+` FROM digest_schedules WHERE chat = ?`), chat))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return DigestSchedule{}, fmt.Errorf("store: digest schedule %s: %w", chat, err)
	}
	return d, nil
}

// QueueDigestTx records in tx that the digest of chat due at due is
// queued: it sets LastDue to due if it is later than LastDue (or LastDue
// is unset), and reports whether it did. false means the time was queued
// already (by another replica, or before a restart): the caller must not
// queue it again. The caller inserts the digest's job in the same tx. A
// chat without a schedule is an error wrapping ErrNotFound.
//
// On PostgreSQL a replica doing the same waits for tx and then finds the
// time queued.
func (s *Store) QueueDigestTx(ctx context.Context, tx *sql.Tx, chat string, due time.Time) (bool, error) {
	if due.IsZero() {
		return false, fmt.Errorf("store: queue digest %s: zero due time", chat)
	}
	res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE digest_schedules SET last_due = ?
		WHERE chat = ? AND (last_due IS NULL OR last_due < ?)`), s.d.timeArg(due), chat, s.d.timeArg(due))
	if err != nil {
		return false, fmt.Errorf("store: queue digest %s: %w", chat, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: queue digest %s: %w", chat, err)
	}
	if n > 0 {
		return true, nil
	}
	var exists int
	err = tx.QueryRowContext(ctx, s.d.rebind(`SELECT count(*) FROM digest_schedules WHERE chat = ?`), chat).Scan(&exists)
	if err == nil && exists == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("store: queue digest %s: %w", chat, err)
	}
	return false, nil
}

// DigestRun is one digest of a chat: the one due at Due, for the period
// [From, To).
type DigestRun struct {
	Chat     string
	Due      time.Time
	From, To time.Time
	Parts    int       // messages sent so far
	Alerts   int       // alerts it held (set by FinishDigest)
	Sent     time.Time // when it was done; zero while not
}

const digestRunColumns = `chat, due, period_from, period_to, parts, alerts, sent_at`

func scanDigestRun(sc interface{ Scan(...any) error }) (DigestRun, error) {
	var r DigestRun
	err := sc.Scan(&r.Chat, dbTime{&r.Due}, dbTime{&r.From}, dbTime{&r.To}, &r.Parts, &r.Alerts, dbTime{&r.Sent})
	return r, err
}

// StartDigest stores run unless a run of the same chat and Due exists,
// and returns the stored one: a retry gets the period the first attempt
// chose. Chat, Due, From and To are required.
func (s *Store) StartDigest(ctx context.Context, run DigestRun) (DigestRun, error) {
	if run.Chat == "" || run.Due.IsZero() || run.From.IsZero() || run.To.IsZero() {
		return DigestRun{}, fmt.Errorf("store: start digest %s: chat, due, from and to are required", run.Chat)
	}
	var stored DigestRun
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO digests (`+digestRunColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat, due) DO NOTHING`),
			run.Chat, s.d.timeArg(run.Due), s.d.timeArg(run.From), s.d.timeArg(run.To), run.Parts, run.Alerts,
			s.d.timeArg(run.Sent))
		if err != nil {
			return err
		}
		stored, err = scanDigestRun(tx.QueryRowContext(ctx, s.d.rebind(`SELECT `+digestRunColumns+` FROM digests
			WHERE chat = ? AND due = ?`), run.Chat, s.d.timeArg(run.Due)))
		return err
	})
	if err != nil {
		return DigestRun{}, fmt.Errorf("store: start digest %s %s: %w", run.Chat, run.Due.Format(time.RFC3339), err)
	}
	return stored, nil
}

// DigestPartSent records that parts messages of the run were sent
// (monotonic: a lower number never lowers it). An unknown run is an error
// wrapping ErrNotFound.
func (s *Store) DigestPartSent(ctx context.Context, chat string, due time.Time, parts int) error {
	// The CASE keeps the row matched (RowsAffected 1) when parts is not
	// higher, so 0 means no such run.
	res, err := s.exec(ctx, `UPDATE digests SET parts = CASE WHEN parts < ? THEN ? ELSE parts END
		WHERE chat = ? AND due = ?`, parts, parts, chat, s.d.timeArg(due))
	if err := runUpdated(res, err); err != nil {
		return fmt.Errorf("store: digest part sent %s %s: %w", chat, due.Format(time.RFC3339), err)
	}
	return nil
}

// FinishDigest marks the run done (Sent = the store's clock) with the
// number of alerts it held. Finishing a done run again updates Alerts and
// keeps the first Sent. An unknown run is an error wrapping ErrNotFound.
func (s *Store) FinishDigest(ctx context.Context, chat string, due time.Time, alerts int) error {
	res, err := s.exec(ctx, `UPDATE digests SET alerts = ?, sent_at = COALESCE(sent_at, ?)
		WHERE chat = ? AND due = ?`, alerts, s.d.timeArg(s.clock()), chat, s.d.timeArg(due))
	if err := runUpdated(res, err); err != nil {
		return fmt.Errorf("store: finish digest %s %s: %w", chat, due.Format(time.RFC3339), err)
	}
	return nil
}

// runUpdated turns the result of an UPDATE of one digest into an error:
// ErrNotFound when it matched no row.
func runUpdated(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// LastDigest returns the done run of chat with the latest To, or an error
// wrapping ErrNotFound.
func (s *Store) LastDigest(ctx context.Context, chat string) (DigestRun, error) {
	r, err := scanDigestRun(s.r.QueryRowContext(ctx, s.d.rebind(`SELECT `+digestRunColumns+` FROM digests
		WHERE chat = ? AND sent_at IS NOT NULL ORDER BY period_to DESC, due DESC LIMIT 1`), chat))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return DigestRun{}, fmt.Errorf("store: last digest %s: %w", chat, err)
	}
	return r, nil
}

// AlertItem is an alert with what a digest shows of its item.
type AlertItem struct {
	Alert
	Title, URL string
	Published  time.Time // zero when unknown
}

// ListAlertItems returns the alerts created in [from, to), oldest first
// (created_at, id), each with its item's title, URL and published time;
// flood summaries are left out (their alerts are listed anyway). At most
// limit (<= 0: no limit). A zero from is the beginning of time, a zero to
// no end.
func (s *Store) ListAlertItems(ctx context.Context, from, to time.Time, limit int) ([]AlertItem, error) {
	if from.IsZero() {
		from = time.Unix(0, 0)
	}
	q := `SELECT ` + prefixColumns("a.", alertColumns) + `, i.title, i.url, i.published
		FROM alerts a LEFT JOIN items i ON i.source = a.source AND i.id = a.item_id
		WHERE a.created_at >= ? AND a.rule_id <> ?`
	args := []any{s.d.timeArg(from), FloodSummaryRule}
	if !to.IsZero() {
		q += ` AND a.created_at < ?`
		args = append(args, s.d.timeArg(to))
	}
	q += ` ORDER BY a.created_at, a.id`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.r.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list alert items: %w", err)
	}
	defer rows.Close()
	var out []AlertItem
	for rows.Next() {
		var it AlertItem
		var title, url sql.NullString
		a, err := scanAlert(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &title, &url, dbTime{&it.Published})...)
		}))
		if err != nil {
			return nil, fmt.Errorf("store: list alert items: %w", err)
		}
		it.Alert, it.Title, it.URL = a, title.String, url.String
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list alert items: %w", err)
	}
	return out, nil
}

// scanFunc lets a function stand for a row in the scan helpers, to scan
// columns of their own after theirs.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
