// Package console is the Messenger of the "console" platform: it prints
// alerts to a writer (standard output when no chat token is set, and in
// alertbot demo), laid out as on the chats by bot.Layout.
//
// Output is plain text, one alert a block of lines followed by an empty
// line. On a terminal it is coloured with ANSI codes: the severity marker
// in the severity's colour, bold segments (the rule title, the matched
// words) bold, rule ids dim, links underlined. Colour is on when the writer
// is an *os.File on a character device, unless NO_COLOR is set to anything
// but "" (https://no-color.org) or TERM is "dumb"; WithColor overrides
// both. Control characters in outside text are printed as spaces, so a
// feed cannot send escape codes to the terminal.
package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/alertbot/alertbot/bot"
)

var _ bot.Messenger = (*Console)(nil)

// Console prints alerts to a writer. It is safe for concurrent use: each
// alert is written whole, with one Write.
type Console struct {
	w     io.Writer
	tz    *time.Location
	color bool

	mu sync.Mutex
}

// Option configures a Console.
type Option func(*Console)

// WithColor turns ANSI colour on or off, whatever the writer and NO_COLOR
// say: for a -color flag, and tests.
func WithColor(on bool) Option { return func(c *Console) { c.color = on } }

// WithLocation shows times in tz as well as in UTC (default time.Local;
// nil: UTC only).
func WithLocation(tz *time.Location) Option { return func(c *Console) { c.tz = tz } }

// New returns a Console that prints to w.
func New(w io.Writer, opts ...Option) *Console {
	c := &Console{w: w, tz: time.Local, color: colorDefault(w)}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// colorDefault reports whether w is a terminal that wants colour.
func colorDefault(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Send prints a. chat is not used: there is one console.
func (c *Console) Send(ctx context.Context, chat string, a *bot.Alert) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console: send alert %d: %w", a.ID, err)
	}
	out := c.Render(a)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, out); err != nil {
		return fmt.Errorf("console: send alert %d: %w", a.ID, err)
	}
	return nil
}

// ANSI SGR codes.
const (
	reset     = "\x1b[0m"
	bold      = "\x1b[1m"
	dim       = "\x1b[2m"
	underline = "\x1b[4m"
)

// severityColor is the SGR code of a severity marker.
var severityColor = map[string]string{
	"low":      "\x1b[36m",      // cyan
	"medium":   "\x1b[33m",      // yellow
	"high":     "\x1b[1;31m",    // bold red
	"critical": "\x1b[1;97;41m", // bold white on red
}

// Render returns a as Send prints it: the lines of bot.Layout, all but the
// first indented by two spaces, then an empty line. A link prints as
// "text <url>" (the url alone when it is the text).
func (c *Console) Render(a *bot.Alert) string {
	var b strings.Builder
	for i, line := range bot.Layout(a, a.ZoneOr(c.tz)) {
		if i > 0 {
			b.WriteString("  ")
		}
		if line.Kind == bot.LineFolded || line.Kind == bot.LineMore {
			b.WriteString("• ")
		}
		for _, seg := range line.Segs {
			c.writeSeg(&b, seg, a.Severity)
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.String()
}

func (c *Console) writeSeg(b *strings.Builder, seg bot.Seg, severity string) {
	text := clean(seg.Text)
	var style string
	if c.color {
		switch {
		case seg.Kind == bot.SegSeverity:
			style = severityColor[strings.ToLower(severity)]
			if style == "" {
				style = bold
			}
		case seg.Bold:
			style = bold
		case seg.Kind == bot.SegID:
			style = dim
		}
	}
	if style != "" {
		b.WriteString(style + text + reset)
	} else {
		b.WriteString(text)
	}
	if seg.URL == "" || seg.URL == seg.Text {
		return
	}
	b.WriteString(" <")
	if c.color {
		b.WriteString(underline + clean(seg.URL) + reset)
	} else {
		b.WriteString(clean(seg.URL))
	}
	b.WriteString(">")
}

// clean replaces control characters (ESC, CR, LF, …) and the bidirectional
// overrides with spaces, so that outside text prints as it reads.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x20, r >= 0x7f && r < 0xa0:
			return ' '
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return ' '
		}
		return r
	}, s)
}
