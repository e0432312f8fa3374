package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/alertbot/alertbot/sources"
	"github.com/alertbot/alertbot/sources/htmltext"
)

// The Cursor of an html source with Follow remembers the links of the
// listing at the last poll, so that the next poll knows which items are new
// to the listing: cursorPrefix (the format's version), then the unpadded
// base64url of the first linkHashSize bytes of the SHA-256 of each item's
// URL, in page order, for at most maxCursorLinks items with a link (2.7 kB
// at most; a listing page shows 10 to 50 items). Only those items can be
// followed. A Cursor without the prefix (none yet, or another format)
// means no follow on this poll.
const (
	cursorPrefix   = "w1:"
	linkHashSize   = 8 // 64 bits: two links of one listing collide with odds of 1 in 10^16
	maxCursorLinks = 200
)

type linkHash [linkHashSize]byte

func hashLink(link string) linkHash {
	sum := sha256.Sum256([]byte(link))
	return linkHash(sum[:linkHashSize])
}

// encodeCursor returns the Cursor remembering the links of items.
func encodeCursor(items []sources.Item) string {
	var raw []byte
	n := 0
	for _, it := range items {
		if it.URL == "" {
			continue
		}
		if n == maxCursorLinks {
			break
		}
		h := hashLink(it.URL)
		raw = append(raw, h[:]...)
		n++
	}
	return cursorPrefix + base64.RawURLEncoding.EncodeToString(raw)
}

// decodeCursor returns the set of links a Cursor remembers, and false when
// it is not one encodeCursor wrote.
func decodeCursor(cursor string) (map[linkHash]bool, bool) {
	rest, ok := strings.CutPrefix(cursor, cursorPrefix)
	if !ok {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw)%linkHashSize != 0 || len(raw) > maxCursorLinks*linkHashSize {
		return nil, false
	}
	seen := make(map[linkHash]bool, len(raw)/linkHashSize)
	for i := 0; i < len(raw); i += linkHashSize {
		seen[linkHash(raw[i:i+linkHashSize])] = true
	}
	return seen, true
}

// follow replaces the Text of the items new since cursor with their
// pages' full text (see Poll). It returns an error only when ctx ends.
func (s *HTMLSource) follow(ctx context.Context, items []sources.Item, cursor, pageURL string) error {
	seen, ok := decodeCursor(cursor)
	if !ok {
		return nil
	}
	m, err := s.Selectors.compile()
	if err != nil {
		return err // Parse has checked them
	}
	limit := s.FollowMax
	if limit <= 0 {
		limit = DefaultFollowMax
	}
	delay := s.FollowDelay
	if delay == 0 {
		delay = DefaultFollowDelay
	}
	sleep := s.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	host := siteHost(pageURL)
	linked, followed := 0, 0
	for i := range items {
		it := &items[i]
		if it.URL == "" {
			continue
		}
		if linked++; linked > maxCursorLinks || followed == limit {
			break
		}
		if seen[hashLink(it.URL)] || siteHost(it.URL) != host {
			continue
		}
		followed++
		if delay > 0 {
			if err := sleep(ctx, delay); err != nil {
				return fmt.Errorf("follow %s: %w", it.URL, err)
			}
		}
		text, err := s.fullText(ctx, it.URL, m.fullText)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("follow %s: %w", it.URL, ctx.Err())
			}
			log.Warn("web: follow failed, keeping the listing's text", "source", s.ID, "item_id", it.ID, "error", err)
			if _, ok := errors.AsType[*sources.RetryAfterError](err); ok {
				break
			}
			continue
		}
		it.Text = text
	}
	return nil
}

// fullText fetches an item's page and returns the text of the FullText
// selector's matches.
func (s *HTMLSource) fullText(ctx context.Context, link string, fullText goquery.Matcher) (string, error) {
	resp, err := s.Fetcher.Fetch(ctx, sources.Request{URL: link, UserAgent: s.UserAgent, Accept: Accept})
	if err != nil {
		return "", err
	}
	doc, _, err := parsePage(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		return "", err
	}
	text := htmltext.Nodes(doc.FindMatcher(fullText).Nodes, false)
	if text == "" {
		return "", fmt.Errorf("selector FullText %q %w on %s", s.Selectors.FullText, ErrNoMatch, link)
	}
	return text, nil
}

// siteHost returns the host of a URL in lower case without "www.", so
// that www.mid.ru and mid.ru count as one site; "" when it has none.
func siteHost(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
