package console

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/alertbot/alertbot/bot"
)

var _ bot.DigestMessenger = (*Console)(nil)

// SendDigest prints d, as RenderDigest returns it, as one message: message
// 0, after which it calls sent(0) and returns sent's error. from > 0 means
// it was printed already: nothing is printed, sent is not called. chat is
// not used.
func (c *Console) SendDigest(ctx context.Context, chat string, d *bot.Digest, from int, sent func(i int) error) error {
	if from > 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console: send digest: %w", err)
	}
	out := c.RenderDigest(d)
	c.mu.Lock()
	_, err := io.WriteString(c.w, out)
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("console: send digest: %w", err)
	}
	return sent(0)
}

// RenderDigest returns d as SendDigest prints it: the lines of
// bot.LayoutDigest, the head line bold, the counts and the rule sets'
// titles indented by two spaces, the events by four, then an empty line.
// Segments are coloured as in Render, a severity in its colour; a link
// prints as "text <url>".
func (c *Console) RenderDigest(d *bot.Digest) string {
	var b strings.Builder
	for _, line := range bot.LayoutDigest(d) {
		switch line.Kind {
		case bot.LineDigestHead:
			line.Segs = []bot.Seg{{Text: line.String(), Bold: true}}
		case bot.LineDigestEvent:
			b.WriteString("    ")
		default:
			b.WriteString("  ")
		}
		for _, seg := range line.Segs {
			severity := ""
			if seg.Kind == bot.SegSeverity {
				severity = seg.Text
			}
			c.writeSeg(&b, seg, severity)
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.String()
}
