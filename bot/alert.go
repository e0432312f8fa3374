package bot

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Alert is an alert as chats see it, whatever the platform: what the
// Messengers send and Layout arranges. The app builds it from the store
// (the alert row, its item and rule) for the Deliverer (see Alerts).
type Alert struct {
	ID                  int64
	RuleID, RuleTitle   string
	Ruleset             string
	Severity            string // low, medium, high, critical
	Title, URL          string // of the item
	Source, SourceTitle string // source id, and its display name when known
	Snippet             Snippet
	Countries           []string // ISO 3166-1 alpha-2
	Published, Raised   time.Time
	// Zone is the time zone of the chat the alert is sent to, for its
	// times besides UTC; nil: the messenger's own.
	Zone   *time.Location
	Folded []Folded // a flood summary: the alerts folded into this one (then Title says how many)
}

// Folded is one alert folded into a flood summary: the source raised more
// alerts in one poll than its flood_limit (DESIGN.md §6).
type Folded struct{ RuleID, Title, URL string }

// Snippet is a piece of the item's text with the words that made the rule
// match in bold.
type Snippet struct {
	Text string
	Bold []Span // byte ranges of Text, sorted, not overlapping
}

// Span is a byte range [Start, End) of a text.
type Span struct{ Start, End int }

const (
	ellipsis = "…"
	// wordSlack is how far, in runes, NewSnippet moves a cut to reach a
	// word boundary; beyond it (a text without spaces) it cuts mid-word.
	wordSlack = 20
)

// NewSnippet cuts a snippet of at most maxRunes runes from text around the
// highlighted byte ranges (the first highlight in view, cut at word
// boundaries, "…" where cut), keeping the highlights that fall inside as
// Bold.
//
// Runs of white space (paragraph breaks included) and control characters
// become one space, and the text is trimmed, so a snippet is one line.
// Highlights may come in any order, overlap, or reach past the text: they
// are clipped, widened to whole runes, sorted and merged. The window
// starts a little before the first highlight, leaving most of the room to
// what follows (where further highlights usually are); a highlight longer
// than the window is cut. The "…" marks count towards maxRunes; maxRunes < 1
// means no limit, and below 3 the snippet is cut without marks.
func NewSnippet(text string, highlights []Span, maxRunes int) Snippet {
	text, spans := squeeze(text, cleanSpans(text, highlights))
	if text == "" {
		return Snippet{}
	}
	n := utf8.RuneCountInString(text)
	if maxRunes < 1 || n <= maxRunes {
		return Snippet{Text: text, Bold: spans}
	}

	// Work in runes: at[i] is the byte offset of rune i, at[n] = len(text).
	at := make([]int, 0, n+1)
	for i := range text {
		at = append(at, i)
	}
	at = append(at, len(text))
	runeAt := func(b int) int { i, _ := slices.BinarySearch(at, b); return i }
	space := func(i int) bool { return text[at[i]] == ' ' } // squeeze left ' ' as the only space

	// The first highlight, in runes: the window must start at or before it.
	first, firstEnd := 0, 0
	if len(spans) > 0 {
		first, firstEnd = runeAt(spans[0].Start), runeAt(spans[0].End)
	}

	if maxRunes < 3 {
		s := min(first, n-maxRunes)
		return cut(text, at, spans, s, s+maxRunes, false, false)
	}

	// wordStart moves s forward to the start of a word, not past limit.
	wordStart := func(s, limit int) int {
		if s == 0 || space(s-1) {
			return s
		}
		for i := s; i < min(limit, s+wordSlack); i++ {
			if space(i) {
				return i + 1
			}
		}
		return s
	}

	s := 0
	if len(spans) > 0 {
		lead := max(0, (maxRunes-2-(firstEnd-first))/3)
		s = wordStart(max(0, first-lead), first)
		if s <= wordSlack/2 && firstEnd <= maxRunes-1 {
			s = 0 // rather the text's first words than "…" and a few runes
		}
	}
	var e int
	if s == 0 {
		e = maxRunes - 1 // "…" at the end only
	} else {
		e = s + maxRunes - 2
	}
	if e >= n {
		// The window reaches the end: take the last maxRunes-1 runes after "…".
		s = wordStart(n-maxRunes+1, max(first, n-maxRunes+1))
		e = n
	} else if !space(e) && !space(e-1) {
		// e cuts a word: end at the last space before it, keeping the first
		// highlight whole.
		for i := e - 1; i > max(s, firstEnd-1, e-wordSlack-1); i-- {
			if space(i) {
				e = i
				break
			}
		}
	}
	for e > s && space(e-1) {
		e--
	}
	return cut(text, at, spans, s, e, s > 0, e < n)
}

// cut returns the runes [s, e) of text as a snippet, with the spans inside
// it, and "…" before and after as asked.
func cut(text string, at []int, spans []Span, s, e int, before, after bool) Snippet {
	var b strings.Builder
	if before {
		b.WriteString(ellipsis)
	}
	shift := b.Len() - at[s]
	b.WriteString(text[at[s]:at[e]])
	if after {
		b.WriteString(ellipsis)
	}
	var bold []Span
	for _, sp := range spans {
		start, end := max(sp.Start, at[s]), min(sp.End, at[e])
		if start < end {
			bold = append(bold, Span{start + shift, end + shift})
		}
	}
	return Snippet{Text: b.String(), Bold: bold}
}

// cleanSpans clips spans to text, widens them to whole runes, sorts them
// and merges those that overlap or touch. It does not modify spans.
func cleanSpans(text string, spans []Span) []Span {
	var out []Span
	for _, sp := range spans {
		start, end := max(sp.Start, 0), min(sp.End, len(text))
		if start >= end {
			continue
		}
		for start > 0 && !utf8.RuneStart(text[start]) {
			start--
		}
		for end < len(text) && !utf8.RuneStart(text[end]) {
			end++
		}
		out = append(out, Span{start, end})
	}
	slices.SortFunc(out, func(a, b Span) int { return a.Start - b.Start })
	return mergeSpans(out)
}

// mergeSpans merges sorted spans that overlap or touch, in place.
func mergeSpans(spans []Span) []Span {
	var out []Span
	for _, sp := range spans {
		if n := len(out); n > 0 && sp.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, sp.End)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// squeeze turns each run of white space and control characters of text
// into one space and trims the ends, moving the spans (clean, from
// cleanSpans) along; spans are trimmed of white space and dropped if
// nothing is left.
func squeeze(text string, spans []Span) (string, []Span) {
	var b strings.Builder
	b.Grow(len(text))
	// to[i] is where byte i of text went; a dropped byte maps to where the
	// next kept one goes.
	to := make([]int, len(text)+1)
	gap := false
	for i, r := range text {
		_, size := utf8.DecodeRuneInString(text[i:])
		blank := unicode.IsSpace(r) || unicode.IsControl(r)
		if blank {
			gap = b.Len() > 0
		} else if gap {
			b.WriteByte(' ')
			gap = false
		}
		for j := i; j < i+size; j++ {
			to[j] = b.Len()
		}
		if !blank {
			b.WriteRune(r) // invalid UTF-8 becomes U+FFFD
		}
	}
	to[len(text)] = b.Len()
	out := b.String()
	var moved []Span
	for _, sp := range spans {
		start, end := to[sp.Start], to[sp.End]
		for start < end && out[start] == ' ' {
			start++
		}
		for end > start && out[end-1] == ' ' {
			end--
		}
		if start < end {
			moved = append(moved, Span{start, end})
		}
	}
	return out, mergeSpans(moved)
}

// ZoneOr returns a.Zone, or tz when the alert has none.
func (a *Alert) ZoneOr(tz *time.Location) *time.Location {
	if a.Zone != nil {
		return a.Zone
	}
	return tz
}
