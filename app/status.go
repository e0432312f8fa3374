package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alertbot/alertbot/store"
)

// statusReport describes the service for the status command: sources that
// fail (with their last error), how many are healthy, the deliveries
// waiting, the chats delivery stopped sending to, and the chats' digests.
func (s *Service) statusReport(ctx context.Context) ([]string, error) {
	states, err := s.st.ListSourceStates(ctx)
	if err != nil {
		return nil, err
	}
	var failing []string
	healthy := 0
	for _, st := range states {
		if st.ConsecutiveFailures == 0 {
			healthy++
			continue
		}
		failing = append(failing, fmt.Sprintf("  %s: %d failures since %s: %s",
			st.ID, st.ConsecutiveFailures, since(st.LastSuccess), st.LastError))
	}
	queue, err := s.st.QueueDepth(ctx)
	if err != nil {
		return nil, err
	}
	paused, err := s.st.PausedChats(ctx)
	if err != nil {
		return nil, err
	}
	lines := []string{
		fmt.Sprintf("sources: %d polled, %d healthy, %d failing", len(states), healthy, len(failing)),
	}
	lines = append(lines, failing...)
	lines = append(lines, fmt.Sprintf("deliveries waiting: %d", queue))
	if len(paused) == 0 {
		lines = append(lines, "paused chats: none")
	} else {
		lines = append(lines, fmt.Sprintf("paused chats: %d", len(paused)))
		for _, p := range paused {
			lines = append(lines, fmt.Sprintf("  %s:%s since %s: %s", p.Platform, p.Chat, p.Since.UTC().Format("2006-01-02 15:04 UTC"), p.Reason))
		}
	}
	digests, err := s.digestStatus(ctx)
	if err != nil {
		return nil, err
	}
	return append(lines, digests...), nil
}

// digestStatus lists the chats' digests: schedule, next and last.
func (s *Service) digestStatus(ctx context.Context) ([]string, error) {
	scheds, err := s.st.DigestSchedules(ctx)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, sc := range scheds {
		sched, err := schedule(sc)
		if err != nil || sched == nil {
			continue
		}
		last, err := s.st.LastDigest(ctx, sc.Chat)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		lines = append(lines, fmt.Sprintf("  %s: %s, next %s, last sent %s", sc.Chat, sched, since(sched.Next(s.digests.now())), since(last.Sent)))
	}
	if len(lines) == 0 {
		return []string{"digests: none"}, nil
	}
	return append([]string{fmt.Sprintf("digests: %d", len(lines))}, lines...), nil
}

// since says when t was, for people: "2026-11-25 14:05 UTC", or "never".
func since(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
