package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/alertbot/alertbot/sources"
)

// DedupWindow is how far back SaveItems looks for an item of the same source
// with the same content under another id (DESIGN.md §6: a GUID that changes
// while the content does not is not new).
const DedupWindow = 7 * 24 * time.Hour

// StoredItem is an item as the store keeps it.
type StoredItem struct {
	sources.Item
	ContentHash string    // sources.ContentHash(Title, Text)
	FetchedAt   time.Time // when SaveItems stored it
}

const itemColumns = `source, id, url, title, text, lang, published, fetched_at, content_hash`

func scanItem(sc interface{ Scan(...any) error }) (StoredItem, error) {
	var it StoredItem
	err := sc.Scan(&it.Source, &it.ID, &it.URL, &it.Title, &it.Text, &it.Lang,
		dbTime{&it.Published}, dbTime{&it.FetchedAt}, &it.ContentHash)
	return it, err
}

// SaveItems stores items in one transaction and returns, in their order,
// those that are new: not stored before under their (Source, ID), not
// earlier in the same batch, and not a copy of an item of the same source
// with the same content hash that arrived within DedupWindow under another
// id. Copies are stored too (so their id is known next time) but marked as
// duplicates, and SearchItems leaves them out. An item whose id is known is
// left as it was first stored. An item without Published is stored as
// published when it was fetched.
//
// Callers may call SaveItems concurrently; on SQLite the calls take turns.
func (s *Store) SaveItems(ctx context.Context, items []sources.Item) ([]sources.Item, error) {
	var fresh []sources.Item
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		fresh, err = s.saveItems(ctx, tx, items)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: save items: %w", err)
	}
	return fresh, nil
}

// SaveItemsTx is SaveItems within tx, so that the caller can write what
// the new items raise in the same transaction: if it rolls back, the
// items are new again next time.
func (s *Store) SaveItemsTx(ctx context.Context, tx *sql.Tx, items []sources.Item) ([]sources.Item, error) {
	fresh, err := s.saveItems(ctx, tx, items)
	if err != nil {
		return nil, fmt.Errorf("store: save items: %w", err)
	}
	return fresh, nil
}

func (s *Store) saveItems(ctx context.Context, tx *sql.Tx, items []sources.Item) ([]sources.Item, error) {
	if len(items) == 0 {
		return nil, nil
	}
	for _, it := range items {
		if it.ID == "" {
			return nil, fmt.Errorf("item from %q without id", it.Source)
		}
	}
	now := s.clock()
	var fresh []sources.Item
	err := func() error {
		if s.d.lockSource != "" {
			var srcs []string
			for _, it := range items {
				srcs = append(srcs, it.Source)
			}
			slices.Sort(srcs)
			for _, src := range slices.Compact(srcs) { // sorted: no deadlock between batches
				if _, err := tx.ExecContext(ctx, s.d.rebind(s.d.lockSource), src); err != nil {
					return err
				}
			}
		}
		// One query tells whether the id is known and, if not, which item
		// it copies: a poll mostly repeats items it saw, and then this is
		// all SaveItems does for them.
		lookup, err := tx.PrepareContext(ctx, s.d.rebind(`SELECT
			(SELECT count(*) FROM items WHERE source = ? AND id = ?),
			(SELECT id FROM items WHERE source = ? AND content_hash = ? AND fetched_at >= ? AND id <> ? LIMIT 1)`))
		if err != nil {
			return err
		}
		defer lookup.Close()
		insert, err := tx.PrepareContext(ctx, s.d.rebind(`INSERT INTO items
			(source, id, content_hash, url, title, text, lang, published, fetched_at, duplicate_of`+s.d.itemFTSColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?`+s.d.itemFTSValues+`)
			ON CONFLICT (source, id) DO NOTHING RETURNING seq`))
		if err != nil {
			return err
		}
		defer insert.Close()
		windowStart := s.d.timeArg(now.Add(-DedupWindow))
		var inserted []int64
		for _, it := range items {
			hash := sources.ContentHash(it.Title, it.Text)
			var known int
			var copyOf sql.NullString
			err := lookup.QueryRowContext(ctx, it.Source, it.ID, it.Source, hash, windowStart, it.ID).Scan(&known, &copyOf)
			if err != nil {
				return err
			}
			if known > 0 {
				continue
			}
			published := it.Published
			if published.IsZero() {
				published = now
			}
			args := append([]any{it.Source, it.ID, hash, it.URL, it.Title, it.Text, it.Lang,
				s.d.timeArg(published), s.d.timeArg(now), copyOf}, s.d.itemFTSArgs(it.Title, it.Text)...)
			var seq int64
			switch err := insert.QueryRowContext(ctx, args...).Scan(&seq); {
			case errors.Is(err, sql.ErrNoRows):
				continue // stored meanwhile by a concurrent SaveItems (PostgreSQL)
			case err != nil:
				return err
			}
			inserted = append(inserted, seq)
			if !copyOf.Valid {
				fresh = append(fresh, it)
			}
		}
		if s.d.indexItems != "" && len(inserted) > 0 {
			seqs, err := json.Marshal(inserted)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.d.indexItems, string(seqs)); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return fresh, nil
}

// KnownItems returns which of ids the store holds for source, without
// writing: the pipeline matches only the others before it takes the write
// transaction.
func (s *Store) KnownItems(ctx context.Context, source string, ids []string) (map[string]bool, error) {
	known := make(map[string]bool)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, source)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := s.r.QueryContext(ctx, s.d.rebind(`SELECT id FROM items WHERE source = ? AND id IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("store: known items: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: known items: %w", err)
			}
			known[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: known items: %w", err)
		}
	}
	return known, nil
}

// CountItems returns how many items are stored.
func (s *Store) CountItems(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM items`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count items: %w", err)
	}
	return n, nil
}

// GetItem returns the item stored under (source, id), or ErrNotFound.
func (s *Store) GetItem(ctx context.Context, source, id string) (StoredItem, error) {
	row := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT `+itemColumns+` FROM items WHERE source = ? AND id = ?`), source, id)
	it, err := scanItem(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return StoredItem{}, fmt.Errorf("store: get item %s/%s: %w", source, id, err)
	}
	return it, nil
}

// maxSearchLimit caps SearchItems' limit.
const maxSearchLimit = 1000

// SearchItems returns up to limit stored items (not duplicates) published
// at or after since that match ftsQuery, newest first: the candidates of a
// lookup, which the caller refines with the rules engine. Build ftsQuery
// with FTSQuery; on SQLite any FTS5 query works, on PostgreSQL the subset
// FTSQuery produces (quoted or bare words, a trailing *, AND, OR, NOT,
// parentheses). An empty query matches nothing. limit ≤ 0 means 100; it is
// capped at 1000.
func (s *Store) SearchItems(ctx context.Context, ftsQuery string, since time.Time, limit int) ([]StoredItem, error) {
	if strings.TrimSpace(ftsQuery) == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, maxSearchLimit)
	q, err := s.d.ftsArg(ftsQuery)
	if err != nil {
		return nil, fmt.Errorf("store: search items: %w", err)
	}
	if q == "" {
		return nil, nil
	}
	if since.IsZero() {
		since = time.Unix(0, 0)
	}
	rows, err := s.r.QueryContext(ctx, s.d.rebind(s.d.searchItems), q, s.d.timeArg(since), limit)
	if err != nil {
		return nil, fmt.Errorf("store: search items: %w", err)
	}
	defer rows.Close()
	var out []StoredItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("store: search items: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search items: %w", err)
	}
	return out, nil
}

// FTSQuery builds a full-text query for SearchItems that matches an item
// containing a word starting with any of words: `"summon"* OR "поверенн"*`.
// Each word is quoted, so whatever a user typed (quotes, *, AND, NEAR,
// column:) is searched as text and cannot break the query syntax. Empty
// words are dropped; with none left it returns "" (matches nothing).
func FTSQuery(words []string) string {
	var parts []string
	for _, w := range words {
		w = strings.TrimSpace(w)
		if w == "" || strings.IndexFunc(w, isWordRune) < 0 {
			continue // only punctuation: FTS5 finds no token in it
		}
		parts = append(parts, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
	}
	return strings.Join(parts, " OR ")
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// tsQuery translates the FTS5 subset FTSQuery produces (plus bare words,
// AND, NOT, parentheses) into PostgreSQL's to_tsquery syntax, folding words
// like the stored documents. A quoted string of several words becomes a
// phrase (<->); a trailing * makes its last word a prefix (:*).
func tsQuery(q string) (string, error) {
	var out []string
	operand := false // the previous token ends an operand: juxtaposition means AND
	emit := func(tok string, isOperand, opensOperand bool) {
		if opensOperand && operand {
			out = append(out, "&")
		}
		out = append(out, tok)
		operand = isOperand
	}
	rs := []rune(q)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(':
			emit("(", false, true)
			i++
		case r == ')':
			emit(")", true, false)
			i++
		default:
			var text string
			quoted := r == '"'
			if quoted {
				var b strings.Builder
				i++
				for ; i < len(rs); i++ {
					if rs[i] == '"' {
						if i+1 < len(rs) && rs[i+1] == '"' {
							b.WriteRune('"')
							i++
							continue
						}
						break
					}
					b.WriteRune(rs[i])
				}
				if i == len(rs) {
					return "", fmt.Errorf("unterminated quote in %q", q)
				}
				i++ // closing quote
				text = b.String()
			} else {
				j := i
				for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune(`()"*`, rs[j]) {
					j++
				}
				text = string(rs[i:j])
				i = j
			}
			prefix := i < len(rs) && rs[i] == '*'
			if prefix {
				i++
			}
			if !quoted && !prefix {
				switch text {
				case "AND":
					out = append(out, "&")
					operand = false
					continue
				case "OR":
					out = append(out, "|")
					operand = false
					continue
				case "NOT":
					out = append(out, "&", "!")
					operand = false
					continue
				}
			}
			words := strings.FieldsFunc(foldText(text), func(r rune) bool { return !isWordRune(r) })
			if len(words) == 0 {
				return "", fmt.Errorf("no word in %q", text)
			}
			for k, w := range words {
				words[k] = "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(w) + "'"
			}
			if prefix {
				words[len(words)-1] += ":*"
			}
			term := strings.Join(words, " <-> ")
			if len(words) > 1 {
				term = "(" + term + ")"
			}
			emit(term, true, true)
		}
	}
	return strings.Join(out, " "), nil
}
