package telegram

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alertbot/alertbot/bot"
)

const (
	// MaxTextChars is the most characters (code points) a message may have
	// after entity parsing (Bot API, sendMessage: "1-4096 characters after
	// entities parsing"; PROTOCOLS.md §1.6). Render keeps within it.
	MaxTextChars = 4096
	// maxHTMLBytes is the most bytes of text sendMessage takes before
	// parsing (PROTOCOLS.md §1.6: "text is too long").
	maxHTMLBytes = 32768
	// maxURLBytes is the longest link Render keeps as a link (our choice:
	// hrefs do not count towards MaxTextChars but do towards maxHTMLBytes).
	maxURLBytes = 2048
	// cutSlack is how far, in runes, a cut moves back to a space.
	cutSlack = 20
)

// severityMark is put before the severity: Telegram has no colours.
var severityMark = map[string]string{
	"low":      "🔵",
	"medium":   "🟡",
	"high":     "🔴",
	"critical": "🚨",
}

// Render returns a as Send sends it: the lines of bot.Layout as Telegram
// HTML (parse_mode HTML), with times in tz as well as UTC.
//
// Every piece of outside text is escaped with html.EscapeString, in text
// and in href attributes alike, so it can never form a tag or a link. Only
// <b> (severity, rule title, matched words), <code> (rule ids), <i> (the
// meta line) and <a href> (links, http and https only: a tg://user link
// would mention someone) are used. The text after parsing is at most
// MaxTextChars characters: the snippet is trimmed first, then folded
// alerts are dropped from the end (counted in "and K more"), then the
// title, the head and the meta line are trimmed, each cut marked with "…".
// Cuts fall between segments' tags, never inside one. An alert is never
// split into several messages.
func Render(a *bot.Alert, tz *time.Location) string {
	lines := bot.Layout(a, tz)
	for i := range lines {
		for j := range lines[i].Segs {
			s := &lines[i].Segs[j]
			s.Text = strings.ToValidUTF8(s.Text, "\uFFFD")
			s.URL = strings.ToValidUTF8(s.URL, "\uFFFD")
		}
	}
	lines = fit(lines, len(a.Folded), MaxTextChars)
	mark := severityMark[strings.ToLower(strings.TrimSpace(a.Severity))]
	// Links do not count towards MaxTextChars but do towards the raw size:
	// without them, and then without any tag, the text is far within it.
	for _, st := range []style{{links: true, tags: true}, {tags: true}, {}} {
		if out := render(lines, mark, st); len(out) <= maxHTMLBytes || !st.tags {
			return out
		}
	}
	panic("unreachable")
}

type style struct{ links, tags bool }

func render(lines []bot.Line, mark string, st style) string {
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(linePrefix(line, mark))
		if st.tags && line.Kind == bot.LineMeta {
			b.WriteString("<i>")
		}
		for _, seg := range line.Segs {
			writeSeg(&b, seg, st)
		}
		if st.tags && line.Kind == bot.LineMeta {
			b.WriteString("</i>")
		}
	}
	return b.String()
}

// linePrefix is the plain text Render puts before a line's segments.
func linePrefix(line bot.Line, mark string) string {
	switch {
	case line.Kind == bot.LineFolded || line.Kind == bot.LineMore:
		return "• "
	case line.Kind == bot.LineHead && mark != "" && len(line.Segs) > 0 && line.Segs[0].Kind == bot.SegSeverity:
		return mark + " "
	}
	return ""
}

func writeSeg(b *strings.Builder, seg bot.Seg, st style) {
	text := html.EscapeString(seg.Text)
	if st.tags {
		switch {
		case seg.Kind == bot.SegID:
			text = "<code>" + text + "</code>"
		case seg.Bold || seg.Kind == bot.SegSeverity:
			text = "<b>" + text + "</b>"
		}
		if st.links && safeURL(seg.URL) {
			text = `<a href="` + html.EscapeString(seg.URL) + `">` + text + "</a>"
		}
	}
	b.WriteString(text)
}

// safeURL reports whether u may be a link: http or https with a host, not
// too long.
func safeURL(u string) bool {
	if u == "" || len(u) > maxURLBytes {
		return false
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return false
	}
	scheme := strings.ToLower(p.Scheme)
	return scheme == "http" || scheme == "https"
}

// fit trims lines to at most max characters of text, as Render says.
// folded is the number of alerts the summary folded (Alert.Folded).
func fit(lines []bot.Line, folded, max int) []bot.Line {
	if textLen(lines) <= max {
		return lines
	}
	lines = trimKind(lines, bot.LineSnippet, max)
	lines = dropFolded(lines, folded, max)
	for _, kind := range []bot.LineKind{bot.LineTitle, bot.LineHead, bot.LineMeta} {
		lines = trimKind(lines, kind, max)
	}
	return lines
}

// textLen is the length of the text of lines after parsing: their
// segments, prefixes and the newlines between them.
func textLen(lines []bot.Line) int {
	n := max(len(lines)-1, 0)
	for _, l := range lines {
		n += lineLen(l)
	}
	return n
}

func lineLen(l bot.Line) int {
	// The severity mark is one code point and a space, like "• ".
	n := utf8.RuneCountInString(linePrefix(l, "•"))
	for _, s := range l.Segs {
		n += utf8.RuneCountInString(s.Text)
	}
	return n
}

// trimKind cuts the first line of kind until lines fit in max, or drops it.
func trimKind(lines []bot.Line, kind bot.LineKind, max int) []bot.Line {
	excess := textLen(lines) - max
	if excess <= 0 {
		return lines
	}
	for i, l := range lines {
		if l.Kind != kind {
			continue
		}
		keep := utf8.RuneCountInString(segsText(l.Segs)) - excess - 1 // room for "…"
		if keep < 1 {
			return append(lines[:i:i], lines[i+1:]...)
		}
		lines[i].Segs = cutSegs(l.Segs, keep)
		return lines
	}
	return lines
}

// dropFolded drops folded alerts from the end until lines fit in max,
// keeping the "and K more" line right.
func dropFolded(lines []bot.Line, folded, max int) []bot.Line {
	for textLen(lines) > max {
		last, more, shown := -1, -1, 0
		for i, l := range lines {
			switch l.Kind {
			case bot.LineFolded:
				last = i
				shown++
			case bot.LineMore:
				more = i
			}
		}
		if last < 0 {
			return lines
		}
		lines = append(lines[:last:last], lines[last+1:]...)
		moreLine := bot.Line{Kind: bot.LineMore, Segs: []bot.Seg{{Text: fmt.Sprintf("and %d more", folded-shown+1)}}}
		if more > last {
			lines[more-1] = moreLine
		} else {
			lines = append(lines[:last:last], append([]bot.Line{moreLine}, lines[last:]...)...)
		}
	}
	return lines
}

func segsText(segs []bot.Seg) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

// cutSegs keeps the first n runes of segs, at a space when one is near,
// and marks the cut with "…" in the style of the last segment kept.
func cutSegs(segs []bot.Seg, n int) []bot.Seg {
	var out []bot.Seg
	left := n
	for _, s := range segs {
		r := utf8.RuneCountInString(s.Text)
		if r <= left {
			out = append(out, s)
			left -= r
			continue
		}
		s.Text = cutText(s.Text, left)
		out = append(out, s)
		break
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1].Text) == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return []bot.Seg{{Text: "…"}}
	}
	out[len(out)-1].Text = strings.TrimRight(out[len(out)-1].Text, " ") + "…"
	return out
}

// cutText keeps the first n runes of s, back to a space within cutSlack.
func cutText(s string, n int) string {
	end := len(s)
	i := 0
	for pos := range s {
		if i == n {
			end = pos
			break
		}
		i++
	}
	cut := s[:end]
	if sp := strings.LastIndexByte(cut, ' '); sp > 0 && utf8.RuneCountInString(cut[sp:]) <= cutSlack {
		cut = cut[:sp]
	}
	return cut
}
