package slack

import (
	"context"
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/alertbot/alertbot/bot"
)

var _ bot.DigestMessenger = (*Messenger)(nil)

// What a message of a digest takes of Slack's limits (PROTOCOLS.md §2.6),
// in UTF-16 code units as render counts them.
const (
	// maxDigestBlocksText is the most text of a digest message's blocks,
	// summed: Slack was seen to answer msg_blocks_too_long at about 13,000
	// characters, and it takes no more than 12,000 of markdown blocks.
	maxDigestBlocksText = 12000
	// digestLineBudget is the most one line of a digest takes. Lines of
	// bot.LayoutDigest are far shorter, whatever their escapes, but for
	// their links: a longer link is dropped (digestURLMax).
	digestLineBudget = 1500
	// digestURLMax is the longest URL a digest links an item to; a longer
	// one leaves the title unlinked.
	digestURLMax = 1000
)

// SendDigest posts d to chat as the messages of renderDigest, in order,
// skipping the first from of them, each paced and posted as Send posts an
// alert (no unfurling), and calls sent(i) once Slack accepted message i.
// An error from sent stops it and is returned as it is. Its other errors
// are Send's (see the package doc), prefixed "slack: send digest part
// I/N to CHAT:".
func (m *Messenger) SendDigest(ctx context.Context, chat string, d *bot.Digest, from int, sent func(i int) error) error {
	channel, err := channelOf(chat)
	if err != nil {
		return fmt.Errorf("slack: send digest: %w", err)
	}
	msgs := renderDigest(d)
	for i := max(from, 0); i < len(msgs); i++ {
		if err := m.post(ctx, channel, msgs[i]); err != nil {
			return fmt.Errorf("slack: send digest part %d/%d to %s: %w", i+1, len(msgs), chat, err)
		}
		if err := sent(i); err != nil {
			return err
		}
	}
	return nil
}

// renderDigest returns d as the messages of bot.SplitDigest, in Block
// Kit: the head line as a section, in bold; the counts as a context
// block; each rule set's title as a section; and the lines of its events
// as sections of as many lines, one a line, as fit in MaxTextObject. An
// event's line starts with its severity's emoji, has the severity in bold
// and links the item's title (http and https only). Outside text is
// escaped as in an alert (see escape). The top-level text is the head
// line, plain. A message has at most MaxBlocks blocks and
// maxDigestBlocksText of text in them.
func renderDigest(d *bot.Digest) []message {
	msgs := bot.SplitDigest(d, func(lines []bot.Line) bool {
		msg := digestMessage(lines)
		if len(msg.blocks) > MaxBlocks {
			return false
		}
		total := 0
		for _, b := range msg.blocks {
			total += blockWidth(b)
		}
		return total <= maxDigestBlocksText
	})
	out := make([]message, len(msgs))
	for i, lines := range msgs {
		out[i] = digestMessage(lines)
	}
	return out
}

// digestMessage renders the lines of one message of a digest.
func digestMessage(lines []bot.Line) message {
	var msg message
	var events []string // the event lines of the section being filled
	eventsWidth := 0    // their width, joined
	flush := func() {
		if len(events) > 0 {
			msg.blocks = append(msg.blocks, section(strings.Join(events, "\n")))
			events, eventsWidth = nil, 0
		}
	}
	for _, line := range lines {
		switch line.Kind {
		case bot.LineDigestHead:
			flush()
			head := bot.Line{Kind: line.Kind, Segs: []bot.Seg{{Text: line.String(), Bold: true}}}
			msg.blocks = append(msg.blocks, section(fit(linePieces(head, ""), digestLineBudget)))
			if msg.text == "" {
				msg.text = fit(plainPieces(line), fallbackBudget)
			}
		case bot.LineDigestCounts:
			flush()
			msg.blocks = append(msg.blocks, slackapi.NewContextBlock("", mrkdwn(fit(linePieces(line, ""), digestLineBudget))))
		case bot.LineDigestEvent:
			text := fit(eventPieces(line), digestLineBudget)
			if len(events) > 0 && eventsWidth+1+width(text) > MaxTextObject { // 1 for the "\n"
				flush()
			}
			if len(events) > 0 {
				eventsWidth++
			}
			events = append(events, text)
			eventsWidth += width(text)
		default: // a rule set's title, and any other line
			flush()
			msg.blocks = append(msg.blocks, section(fit(linePieces(line, ""), digestLineBudget)))
		}
	}
	flush()
	if msg.text == "" {
		msg.text = "digest" // Slack wants a text with blocks: never the case with SplitDigest
	}
	return msg
}

// eventPieces are the pieces of an event's line: its severity's emoji
// first, then the line as linePieces makes it, without a link longer than
// digestURLMax.
func eventPieces(line bot.Line) []piece {
	var emoji string
	segs := make([]bot.Seg, len(line.Segs))
	for i, s := range line.Segs {
		if s.Kind == bot.SegSeverity && emoji == "" {
			emoji = severityEmoji[strings.ToLower(strings.TrimSpace(s.Text))]
		}
		if len(s.URL) > digestURLMax {
			s.URL = ""
		}
		segs[i] = s
	}
	pieces := linePieces(bot.Line{Kind: line.Kind, Segs: segs}, "")
	if emoji != "" {
		pieces = append([]piece{{open: emoji + " "}}, pieces...)
	}
	return pieces
}

// blockWidth is the width of the text of a block that digestMessage makes.
func blockWidth(b slackapi.Block) int {
	switch b := b.(type) {
	case *slackapi.SectionBlock:
		if b.Text != nil {
			return width(b.Text.Text)
		}
	case *slackapi.ContextBlock:
		n := 0
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slackapi.TextBlockObject); ok {
				n += width(t.Text)
			}
		}
		return n
	}
	return 0
}
