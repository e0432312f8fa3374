package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// FoldedShown is how many folded alerts a flood summary lists; the rest
// are counted ("and 7 more").
const FoldedShown = 10

// Line is one line of an alert as Layout arranges it. Kind tells a
// renderer what the line holds, so it can choose a block for it (Slack:
// a section for the title, a context block for the meta line).
type Line struct {
	Kind LineKind
	Segs []Seg
}

// LineKind says what a Line holds.
type LineKind int

const (
	LineHead    LineKind = iota // severity marker, rule title and rule id
	LineTitle                   // the item's title, linked to the item
	LineSnippet                 // the snippet, matched words in bold
	LineFolded                  // one alert of a flood summary: rule id, title linked
	LineMore                    // "and K more" after the folded alerts listed
	LineMeta                    // countries · source · time in UTC · time in the chat's zone
)

// Seg is a run of text in one style. Text is plain outside text (feed
// titles, snippets): a renderer escapes it for its platform and must never
// let it form markup, a link or a mention.
type Seg struct {
	Text string
	Bold bool
	URL  string // a link to URL when not ""
	Kind SegKind
}

// SegKind says what a Seg is, for renderers that style more than bold and
// links.
type SegKind int

const (
	SegText     SegKind = iota
	SegSeverity         // the severity marker, "HIGH": colour it by Alert.Severity
	SegID               // an identifier (a rule id): code style, or dim
)

// String returns the line as plain text, links as their text.
func (l Line) String() string {
	var b strings.Builder
	for _, s := range l.Segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Layout arranges a for chats, the same way on every platform, in lines:
//
//	HIGH Diplomat summoned · diplomat-summoned
//	Iraq summons US chargé d'affaires over strikes        (linked to the item)
//	…the foreign ministry summoned the US chargé d'affaires…  (matched words bold)
//	IQ, US · TASS · 2024-02-03 14:05 UTC · 17:05 MSK
//
// A flood summary (Folded) lists its folded alerts after the title, at
// most FoldedShown of them and then "and K more". Empty parts are left
// out. The time is when the item was published (else when the alert was
// raised), in UTC and, unless tz is nil or UTC, in tz; the date is repeated
// when it differs there. Outside text is put on one line (runs of white
// space and control characters become one space) but not escaped: that is
// the renderer's job.
func Layout(a *Alert, tz *time.Location) []Line {
	var lines []Line
	add := func(kind LineKind, segs ...Seg) {
		if len(segs) > 0 {
			lines = append(lines, Line{Kind: kind, Segs: segs})
		}
	}

	var head []Seg
	if a.Severity != "" {
		head = append(head, Seg{Text: strings.ToUpper(oneLine(a.Severity)), Kind: SegSeverity}, Seg{Text: " "})
	}
	ruleTitle, ruleID := oneLine(a.RuleTitle), oneLine(a.RuleID)
	switch {
	case ruleTitle != "" && ruleID != "":
		head = append(head, Seg{Text: ruleTitle, Bold: true}, Seg{Text: " · "}, Seg{Text: ruleID, Kind: SegID})
	case ruleTitle != "":
		head = append(head, Seg{Text: ruleTitle, Bold: true})
	case ruleID != "":
		head = append(head, Seg{Text: ruleID, Bold: true, Kind: SegID})
	}
	add(LineHead, trimSegs(head)...)

	if title := link(a.Title, a.URL); title.Text != "" {
		add(LineTitle, title)
	}

	add(LineSnippet, snippetSegs(a.Snippet)...)

	for i, f := range a.Folded {
		if i == FoldedShown {
			add(LineMore, Seg{Text: fmt.Sprintf("and %d more", len(a.Folded)-FoldedShown)})
			break
		}
		var segs []Seg
		if id := oneLine(f.RuleID); id != "" {
			segs = append(segs, Seg{Text: id, Kind: SegID}, Seg{Text: ": "})
		}
		if title := link(f.Title, f.URL); title.Text != "" {
			segs = append(segs, title)
		}
		add(LineFolded, trimSegs(segs)...)
	}

	var meta []string
	if len(a.Countries) > 0 {
		meta = append(meta, strings.Join(a.Countries, ", "))
	}
	if src := oneLine(a.SourceTitle); src != "" {
		meta = append(meta, src)
	} else if src := oneLine(a.Source); src != "" {
		meta = append(meta, src)
	}
	at := a.Published
	if at.IsZero() {
		at = a.Raised
	}
	if !at.IsZero() {
		meta = append(meta, FormatTime(at, tz))
	}
	if len(meta) > 0 {
		add(LineMeta, Seg{Text: strings.Join(meta, " · ")})
	}
	return lines
}

// FormatTime formats t as "2024-02-03 14:05 UTC · 17:05 MSK": in UTC and,
// unless tz is nil or UTC, in tz, with the date again when it differs
// there ("2024-02-03 22:30 UTC · 2024-02-04 01:30 MSK"). A zone without
// an abbreviation shows its offset ("+04").
func FormatTime(t time.Time, tz *time.Location) string {
	u := t.UTC()
	s := u.Format("2006-01-02 15:04") + " UTC"
	if tz == nil {
		return s
	}
	local := t.In(tz)
	if name, offset := local.Zone(); offset == 0 && name == "UTC" {
		return s
	}
	layout := "15:04 MST"
	if local.Format(time.DateOnly) != u.Format(time.DateOnly) {
		layout = "2006-01-02 15:04 MST"
	}
	return s + " · " + local.Format(layout)
}

// link returns a Seg with title linked to url; the url stands in for a
// missing title.
func link(title, url string) Seg {
	title, url = oneLine(title), strings.TrimSpace(url)
	if title == "" {
		title = url
	}
	return Seg{Text: title, URL: url}
}

// snippetSegs splits a snippet into plain and bold segments.
func snippetSegs(s Snippet) []Seg {
	var segs []Seg
	pos := 0
	for _, b := range s.Bold {
		if b.Start < pos || b.End > len(s.Text) || b.Start >= b.End {
			continue // not as NewSnippet makes them: ignore
		}
		if b.Start > pos {
			segs = append(segs, Seg{Text: s.Text[pos:b.Start]})
		}
		segs = append(segs, Seg{Text: s.Text[b.Start:b.End], Bold: true})
		pos = b.End
	}
	if pos < len(s.Text) {
		segs = append(segs, Seg{Text: s.Text[pos:]})
	}
	return segs
}

// trimSegs drops a trailing separator left when what it separated is
// missing.
func trimSegs(segs []Seg) []Seg {
	for len(segs) > 0 {
		if t := strings.TrimSpace(segs[len(segs)-1].Text); t != "" && t != ":" && t != "·" {
			break
		}
		segs = segs[:len(segs)-1]
	}
	return segs
}

// oneLine puts s on one line: runs of white space and control characters
// become one space, and the ends are trimmed.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}
