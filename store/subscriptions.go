package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Subscription says that a chat (or one topic, a forum thread, of it) gets
// the alerts of a rule set or a rule.
type Subscription struct {
	Platform    string    // "telegram", "slack"
	Chat        string    // the platform's chat id
	Topic       string    // thread within the chat; "" for the whole chat
	Target      string    // rule set id or rule id
	MinSeverity string    // "" for all
	MutedUntil  time.Time // zero: not muted
	Static      bool      // from the config file (SyncStaticSubscriptions), not a chat command
	DigestOnly  bool      // the chat gets these alerts only in its digest, not as they come
}

const subscriptionColumns = `platform, chat, topic, target, min_severity, muted_until, static, digest_only`

func scanSubscription(sc interface{ Scan(...any) error }) (Subscription, error) {
	var sub Subscription
	err := sc.Scan(&sub.Platform, &sub.Chat, &sub.Topic, &sub.Target, &sub.MinSeverity, dbTime{&sub.MutedUntil}, &sub.Static,
		&sub.DigestOnly)
	return sub, err
}

const upsertSubscription = `INSERT INTO subscriptions (` + subscriptionColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (platform, chat, topic, target) DO UPDATE SET
		min_severity = excluded.min_severity, muted_until = excluded.muted_until, static = excluded.static,
		digest_only = excluded.digest_only`

// AddSubscription stores sub, replacing the subscription of the same chat,
// topic and target (so a second subscribe changes min_severity and
// DigestOnly).
func (s *Store) AddSubscription(ctx context.Context, sub Subscription) error {
	if sub.Platform == "" || sub.Chat == "" || sub.Target == "" {
		return errors.New("store: add subscription: platform, chat and target are required")
	}
	_, err := s.exec(ctx, upsertSubscription, sub.Platform, sub.Chat, sub.Topic, sub.Target, sub.MinSeverity,
		s.d.timeArg(sub.MutedUntil), sub.Static, sub.DigestOnly)
	if err != nil {
		return fmt.Errorf("store: add subscription %s:%s %s: %w", sub.Platform, sub.Chat, sub.Target, err)
	}
	return nil
}

// RemoveSubscription removes the chat topic's subscription to target and
// reports whether there was one. With target "" it removes all of the
// topic's subscriptions ("unsubscribe all").
func (s *Store) RemoveSubscription(ctx context.Context, platform, chat, topic, target string) (bool, error) {
	q := `DELETE FROM subscriptions WHERE platform = ? AND chat = ? AND topic = ?`
	args := []any{platform, chat, topic}
	if target != "" {
		q += ` AND target = ?`
		args = append(args, target)
	}
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("store: remove subscription %s:%s %s: %w", platform, chat, target, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: remove subscription %s:%s %s: %w", platform, chat, target, err)
	}
	return n > 0, nil
}

// ListSubscriptions returns the subscriptions of one chat, all topics, by
// topic and target.
func (s *Store) ListSubscriptions(ctx context.Context, platform, chat string) ([]Subscription, error) {
	subs, err := s.listSubscriptions(ctx, `WHERE platform = ? AND chat = ?`, platform, chat)
	if err != nil {
		return nil, fmt.Errorf("store: list subscriptions %s:%s: %w", platform, chat, err)
	}
	return subs, nil
}

// ListAllSubscriptions returns every subscription, by platform, chat, topic
// and target.
func (s *Store) ListAllSubscriptions(ctx context.Context) ([]Subscription, error) {
	subs, err := s.listSubscriptions(ctx, ``)
	if err != nil {
		return nil, fmt.Errorf("store: list subscriptions: %w", err)
	}
	return subs, nil
}

func (s *Store) listSubscriptions(ctx context.Context, where string, args ...any) ([]Subscription, error) {
	rows, err := s.r.QueryContext(ctx, s.d.rebind(`SELECT `+subscriptionColumns+` FROM subscriptions `+where+`
		ORDER BY platform, chat, topic, target`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// MuteSubscriptions sets MutedUntil on all subscriptions of the chat topic
// (zero time: unmute) and returns how many there are.
func (s *Store) MuteSubscriptions(ctx context.Context, platform, chat, topic string, until time.Time) (int, error) {
	res, err := s.exec(ctx, `UPDATE subscriptions SET muted_until = ? WHERE platform = ? AND chat = ? AND topic = ?`,
		s.d.timeArg(until), platform, chat, topic)
	if err != nil {
		return 0, fmt.Errorf("store: mute %s:%s: %w", platform, chat, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: mute %s:%s: %w", platform, chat, err)
	}
	return int(n), nil
}

// SyncStaticSubscriptions makes the static subscriptions those of the
// config file, subs, in one transaction: static ones no longer in subs go,
// the others are added or updated (and marked Static). Subscriptions made
// with chat commands stay.
func (s *Store) SyncStaticSubscriptions(ctx context.Context, subs []Subscription) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM subscriptions WHERE static = ?`), true); err != nil {
			return err
		}
		for _, sub := range subs {
			if sub.Platform == "" || sub.Chat == "" || sub.Target == "" {
				return errors.New("platform, chat and target are required")
			}
			if _, err := tx.ExecContext(ctx, s.d.rebind(upsertSubscription), sub.Platform, sub.Chat, sub.Topic,
				sub.Target, sub.MinSeverity, s.d.timeArg(sub.MutedUntil), true, sub.DigestOnly); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: sync static subscriptions: %w", err)
	}
	return nil
}

// PausedChat is a chat that delivery stopped sending to.
type PausedChat struct {
	Platform, Chat string
	Reason         string // e.g. "bot was blocked by the user"
	Since          time.Time
}

// PauseChat records that delivery must stop sending to the chat (it blocked
// or removed the bot), with the reason to show in logs and /status. Pausing
// a paused chat keeps the first time and updates the reason.
func (s *Store) PauseChat(ctx context.Context, platform, chat, reason string) error {
	_, err := s.exec(ctx, `INSERT INTO chat_state (platform, chat, paused_at, pause_reason) VALUES (?, ?, ?, ?)
		ON CONFLICT (platform, chat) DO UPDATE SET pause_reason = excluded.pause_reason,
			paused_at = COALESCE(chat_state.paused_at, excluded.paused_at)`,
		platform, chat, s.d.timeArg(s.clock()), reason)
	if err != nil {
		return fmt.Errorf("store: pause chat %s:%s: %w", platform, chat, err)
	}
	return nil
}

// ResumeChat lets delivery send to the chat again (the bot was added back).
func (s *Store) ResumeChat(ctx context.Context, platform, chat string) error {
	_, err := s.exec(ctx, `UPDATE chat_state SET paused_at = NULL, pause_reason = '' WHERE platform = ? AND chat = ?`, platform, chat)
	if err != nil {
		return fmt.Errorf("store: resume chat %s:%s: %w", platform, chat, err)
	}
	return nil
}

// ChatPaused reports whether the chat is paused, for the delivery worker.
func (s *Store) ChatPaused(ctx context.Context, platform, chat string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT count(*) FROM chat_state
		WHERE platform = ? AND chat = ? AND paused_at IS NOT NULL`), platform, chat).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: chat paused %s:%s: %w", platform, chat, err)
	}
	return n > 0, nil
}

// PausedChats returns the paused chats, by platform and chat.
func (s *Store) PausedChats(ctx context.Context) ([]PausedChat, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT platform, chat, pause_reason, paused_at FROM chat_state
		WHERE paused_at IS NOT NULL ORDER BY platform, chat`)
	if err != nil {
		return nil, fmt.Errorf("store: paused chats: %w", err)
	}
	defer rows.Close()
	var out []PausedChat
	for rows.Next() {
		var c PausedChat
		if err := rows.Scan(&c.Platform, &c.Chat, &c.Reason, dbTime{&c.Since}); err != nil {
			return nil, fmt.Errorf("store: paused chats: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: paused chats: %w", err)
	}
	return out, nil
}

// MoveChat moves a chat's subscriptions, pause state and digest schedule
// to its new id (Telegram's migrate_to_chat_id when a group becomes a
// supergroup), in one transaction. The schedule moved is the one whose
// address is exactly platform:from (a group has no topics). Subscriptions
// and a schedule the new chat already has win. Past digests (LastDigest)
// stay with the old address.
func (s *Store) MoveChat(ctx context.Context, platform, from, to string) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`INSERT INTO subscriptions (` + subscriptionColumns + `)
				SELECT platform, ?, topic, target, min_severity, muted_until, static, digest_only FROM subscriptions
				WHERE platform = ? AND chat = ?
				ON CONFLICT (platform, chat, topic, target) DO NOTHING`,
			`INSERT INTO chat_state (platform, chat, paused_at, pause_reason)
				SELECT platform, ?, paused_at, pause_reason FROM chat_state
				WHERE platform = ? AND chat = ?
				ON CONFLICT (platform, chat) DO NOTHING`,
		} {
			if _, err := tx.ExecContext(ctx, s.d.rebind(q), to, platform, from); err != nil {
				return err
			}
		}
		for _, table := range []string{"subscriptions", "chat_state"} {
			if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM `+table+` WHERE platform = ? AND chat = ?`), platform, from); err != nil {
				return err
			}
		}
		oldAddr, newAddr := platform+":"+from, platform+":"+to
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO digest_schedules (`+digestScheduleColumns+`)
			SELECT ?, cron, tz, quiet, static, since, last_due FROM digest_schedules WHERE chat = ?
			ON CONFLICT (chat) DO NOTHING`), newAddr, oldAddr); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM digest_schedules WHERE chat = ?`), oldAddr); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: move chat %s:%s to %s: %w", platform, from, to, err)
	}
	return nil
}
