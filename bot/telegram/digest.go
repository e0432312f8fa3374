package telegram

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alertbot/alertbot/bot"
)

var _ bot.DigestMessenger = (*Messenger)(nil)

// SendDigest sends d to chat as the messages of RenderDigest, in order,
// skipping the first from of them, each paced and sent as Send sends an
// alert (parse mode HTML, no link previews, the forum topic of the
// chat), and calls sent(i) once Telegram accepted message i. An error
// from sent stops it and is returned as it is. Its other errors are
// Send's (see the package doc), prefixed "telegram: send digest part
// I/N to CHAT:".
func (m *Messenger) SendDigest(ctx context.Context, chat string, d *bot.Digest, from int, sent func(i int) error) error {
	msgs := RenderDigest(d)
	for i := max(from, 0); i < len(msgs); i++ {
		if err := m.sendHTML(ctx, chat, msgs[i]); err != nil {
			return fmt.Errorf("telegram: send digest part %d/%d to %s: %w", i+1, len(msgs), chat, err)
		}
		if err := sent(i); err != nil {
			return err
		}
	}
	return nil
}

// RenderDigest returns d as SendDigest sends it: the messages of
// bot.SplitDigest, each the Telegram HTML of its lines, one a line. The
// head line is bold, a rule set's title too, and an event's line starts
// with the mark of its severity (🔴 for high, as on an alert) and has the
// severity in bold and the item's title linked to it. Outside text is
// escaped and links are made as Render makes them. Each message is at
// most MaxTextChars characters after parsing and maxHTMLBytes before.
func RenderDigest(d *bot.Digest) []string {
	msgs := bot.SplitDigest(d, digestFits)
	out := make([]string, len(msgs))
	for i, lines := range msgs {
		out[i] = renderDigest(digestLines(lines))
	}
	return out
}

// digestFits reports whether a message of lines is within Telegram's
// limits.
func digestFits(lines []bot.Line) bool {
	lines = digestLines(lines)
	n := max(len(lines)-1, 0) // the newlines
	for _, l := range lines {
		n += utf8.RuneCountInString(digestMark(l))
		for _, s := range l.Segs {
			n += utf8.RuneCountInString(s.Text)
		}
	}
	return n <= MaxTextChars && len(renderDigest(lines)) <= maxHTMLBytes
}

// digestLines returns copies of lines as they are rendered: their text
// valid UTF-8, and the head line one bold segment.
func digestLines(lines []bot.Line) []bot.Line {
	out := make([]bot.Line, len(lines))
	for i, l := range lines {
		if l.Kind == bot.LineDigestHead {
			out[i] = bot.Line{Kind: l.Kind, Segs: []bot.Seg{{Text: strings.ToValidUTF8(l.String(), "\uFFFD"), Bold: true}}}
			continue
		}
		segs := make([]bot.Seg, len(l.Segs))
		for j, s := range l.Segs {
			s.Text = strings.ToValidUTF8(s.Text, "\uFFFD")
			s.URL = strings.ToValidUTF8(s.URL, "\uFFFD")
			segs[j] = s
		}
		out[i] = bot.Line{Kind: l.Kind, Segs: segs}
	}
	return out
}

func renderDigest(lines []bot.Line) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(digestMark(l))
		for _, s := range l.Segs {
			writeSeg(&b, s, style{links: true, tags: true})
		}
	}
	return b.String()
}

// digestMark is the plain text put before a line: an event's severity
// mark and a space, or nothing.
func digestMark(l bot.Line) string {
	if l.Kind != bot.LineDigestEvent {
		return ""
	}
	for _, s := range l.Segs {
		if s.Kind == bot.SegSeverity {
			if mark := severityMark[strings.ToLower(strings.TrimSpace(s.Text))]; mark != "" {
				return mark + " "
			}
			return ""
		}
	}
	return ""
}
