package slack

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	slackapi "github.com/slack-go/slack"

	"github.com/alertbot/alertbot/bot"
)

// Slack's limits on a message (PROTOCOLS.md §2.4, §2.6).
const (
	// MaxTextObject is the most characters of a section's text object
	// (Block Kit reference, section "text": "Maximum length for the text
	// in this field is 3000 characters"; slack-go's TextBlockObject.Validate).
	MaxTextObject = 3000
	// MaxBlocks is the most blocks of a message (Block Kit reference).
	MaxBlocks = 50
	// MaxText is the most characters of a message's top-level text
	// (chat.postMessage: "no more than 40,000 characters").
	MaxText = 40000
)

// What a message of ours takes of those limits. Lengths are counted in
// UTF-16 code units, never fewer than characters however Slack counts
// them, and the sum of the blocks' budgets (8,500) stays well below the
// ~13,000 characters at which Slack was seen to answer msg_blocks_too_long
// (PROTOCOLS.md §2.6).
const (
	headBudget     = 500           // severity, rule title and id
	titleBudget    = 1500          // the item's title and its link
	snippetBudget  = MaxTextObject // the snippet
	foldedBudget   = MaxTextObject // the lines of a flood summary (at most bot.FoldedShown+1 of them), shared
	foldedLine     = 600           // the most one of them takes
	metaBudget     = 500           // countries, source, time (a context element)
	fallbackBudget = 1000          // the top-level text: notifications, clients without blocks
)

const ellipsis = "…"

// severityEmoji marks each severity in the head line.
var severityEmoji = map[string]string{
	"low":      ":large_blue_circle:",
	"medium":   ":large_yellow_circle:",
	"high":     ":red_circle:",
	"critical": ":rotating_light:",
}

// message is an alert rendered for chat.postMessage.
type message struct {
	text   string // the top-level text: plain, escaped
	blocks []slackapi.Block
}

// render lays a out (bot.Layout, times in tz) as Block Kit:
//
//   - a section: severity emoji, *HIGH* *Rule title* · `rule-id`
//   - a section: the item's title in bold, linked to the item
//   - a section: the snippet, the matched words in *bold*
//   - a section listing a flood summary's folded alerts, one a line
//   - a context block: countries · source · time
//
// and a top-level text, "HIGH Rule title · rule-id: Title", for
// notifications. All outside text is escaped (see escape), and every text
// is cut to its budget, with "…", where it is longer.
func render(a *bot.Alert, tz *time.Location) message {
	var msg message
	var folded [][]piece
	var fallback [][]piece
	for _, line := range bot.Layout(a, tz) {
		pieces := linePieces(line, a.Severity)
		switch line.Kind {
		case bot.LineHead:
			msg.blocks = append(msg.blocks, section(fit(pieces, headBudget)))
			fallback = append(fallback, plainPieces(line))
		case bot.LineTitle:
			msg.blocks = append(msg.blocks, section(fit(pieces, titleBudget)))
			fallback = append(fallback, plainPieces(line))
		case bot.LineSnippet:
			msg.blocks = append(msg.blocks, section(fit(pieces, snippetBudget)))
		case bot.LineFolded, bot.LineMore:
			folded = append(folded, pieces)
		case bot.LineMeta:
			msg.blocks = appendFolded(msg.blocks, folded)
			folded = nil
			msg.blocks = append(msg.blocks, slackapi.NewContextBlock("", mrkdwn(fit(pieces, metaBudget))))
		}
	}
	msg.blocks = appendFolded(msg.blocks, folded)

	var text []piece
	for i, p := range fallback {
		if i > 0 {
			text = append(text, piece{open: ": "})
		}
		text = append(text, p...)
	}
	msg.text = fit(text, fallbackBudget)
	if msg.text == "" {
		msg.text = "alert" // Slack wants a text with blocks: never the case with a Layout
	}
	return msg
}

// appendFolded appends the lines of a flood summary as one section, each
// line after "• " and cut to its share of foldedBudget.
func appendFolded(blocks []slackapi.Block, lines [][]piece) []slackapi.Block {
	if len(lines) == 0 {
		return blocks
	}
	const bullet = "• "
	each := min(foldedLine, foldedBudget/len(lines)-width(bullet)-1) // 1 for the "\n"
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = bullet + fit(l, each)
	}
	return append(blocks, section(strings.Join(out, "\n")))
}

// mrkdwn is a mrkdwn text object with verbatim set: Slack then turns no
// bare URL, channel name or @mention in it into a link or a mention (Block
// Kit reference, text object "verbatim"); our own <url|label> links still
// work.
func mrkdwn(text string) *slackapi.TextBlockObject {
	return &slackapi.TextBlockObject{Type: slackapi.MarkdownType, Text: text, Verbatim: true}
}

func section(text string) slackapi.Block {
	return slackapi.NewSectionBlock(mrkdwn(text), nil, nil)
}

// piece is a run of a line in one style: outside text between markup of
// ours (open, close), which fit keeps whole.
type piece struct {
	open, text, close string // text is raw outside text; open and close are mrkdwn
	code              bool   // text is in `code`: formatting characters other than ` are inert there
	// unlinked is the piece without its link, which fit uses when the
	// link's URL leaves too little room for the label.
	unlinked *piece
}

// minLabel is the least of a link's label, in UTF-16 units, that fit
// shows before it drops the link rather than the label.
const minLabel = 20

// linePieces turns the segments of a line into pieces: the severity bold
// after its emoji, bold runs between *, ids in `code`, links as
// <url|label> (bold in the title line), other text as is.
func linePieces(line bot.Line, severity string) []piece {
	var out []piece
	for _, seg := range line.Segs {
		switch {
		case seg.Kind == bot.SegSeverity:
			open := "*"
			if e := severityEmoji[strings.ToLower(severity)]; e != "" {
				open = e + " *"
			}
			out = append(out, piece{open: open, text: seg.Text, close: "*"})
		case seg.URL != "":
			bold := line.Kind == bot.LineTitle || seg.Bold
			u, ok := linkURL(seg.URL)
			if !ok {
				out = append(out, styled(seg.Text, bold, "*")...)
				continue
			}
			open, close := "<"+u+"|", ">"
			unlinked := piece{text: seg.Text}
			if bold {
				open, close = "*"+open, close+"*"
				unlinked = piece{open: "*", text: seg.Text, close: "*"}
			}
			out = append(out, piece{open: open, text: seg.Text, close: close, unlinked: &unlinked})
		case seg.Kind == bot.SegID:
			out = append(out, styled(seg.Text, true, "`")...)
			for i := range out {
				out[i].code = out[i].open == "`"
			}
		default:
			out = append(out, styled(seg.Text, seg.Bold || line.Kind == bot.LineTitle, "*")...)
		}
	}
	// A line that starts with ">" would be a quote (&gt; at the start of a
	// line is Slack's own quote markup): start it with "›" instead.
	if len(out) > 0 && out[0].open == "" && strings.HasPrefix(out[0].text, ">") {
		out[0].text = "›" + out[0].text[1:]
	}
	return out
}

// styled returns text as a piece between marks (mrkdwn's * or `) when on,
// with white space at its ends moved outside the marks, where mrkdwn wants
// it.
func styled(text string, on bool, mark string) []piece {
	if !on {
		return []piece{{text: text}}
	}
	core := strings.TrimSpace(text)
	if core == "" {
		return []piece{{text: text}}
	}
	i := strings.Index(text, core)
	var out []piece
	if i > 0 {
		out = append(out, piece{text: text[:i]})
	}
	out = append(out, piece{open: mark, text: core, close: mark})
	if rest := text[i+len(core):]; rest != "" {
		out = append(out, piece{text: rest})
	}
	return out
}

// plainPieces is the line as unstyled text, for the top-level text.
func plainPieces(line bot.Line) []piece {
	p := piece{text: line.String()}
	if strings.HasPrefix(p.text, ">") {
		p.text = "›" + p.text[1:]
	}
	return []piece{p}
}

// fit writes the pieces as mrkdwn, escaping their text, in at most budget
// UTF-16 code units: whole when they fit; else as many pieces as fit
// whole, then as much of the next one's text as fits (cut at a rune, never
// inside an escape, trailing spaces dropped) between its markup, and "…".
func fit(pieces []piece, budget int) string {
	esc := make([]string, len(pieces))
	total := 0
	for i, p := range pieces {
		esc[i] = p.escape(p.text)
		total += width(p.open) + width(esc[i]) + width(p.close)
	}
	var b strings.Builder
	if total <= budget {
		for i, p := range pieces {
			b.WriteString(p.open + esc[i] + p.close)
		}
		return b.String()
	}
	room := budget - width(ellipsis)
	for i, p := range pieces {
		w := width(p.open) + width(esc[i]) + width(p.close)
		if w <= room {
			b.WriteString(p.open + esc[i] + p.close)
			room -= w
			continue
		}
		avail := room - width(p.open) - width(p.close)
		if p.unlinked != nil && avail < min(width(esc[i]), minLabel) {
			p = *p.unlinked
			avail = room - width(p.open) - width(p.close)
		}
		var cut strings.Builder
		used := 0
		for _, r := range p.text {
			e := p.escape(string(r))
			if used+width(e) > avail {
				break
			}
			cut.WriteString(e)
			used += width(e)
		}
		if s := strings.TrimRight(cut.String(), " "); s != "" {
			b.WriteString(p.open + s + p.close)
		}
		break
	}
	return strings.TrimRight(b.String(), " ") + ellipsis
}

// width is the length of s in UTF-16 code units: at least its number of
// characters, whether Slack counts code points or UTF-16 units.
func width(s string) int {
	n := 0
	for _, r := range s {
		if w := utf16.RuneLen(r); w > 0 {
			n += w
		} else {
			n++
		}
	}
	return n
}

// escaper makes outside text inert in mrkdwn.
//
// Slack's three control characters become entities (PROTOCOLS.md §2.5;
// & first, which a Replacer does by matching each byte once), so no <…>
// sequence can be formed: no link, no <!channel>, no <@U123>. The
// characters of mrkdwn formatting become look-alikes that mrkdwn does not
// know, so a feed cannot make text bold, italic, struck or code, nor close
// our own bold or code around it: * → ∗ (U+2217 ASTERISK OPERATOR),
// _ → ＿ (U+FF3F FULLWIDTH LOW LINE), ~ → ∼ (U+223C TILDE OPERATOR),
// ` → ˋ (U+02CB MODIFIER LETTER GRAVE ACCENT). mrkdwn has no escape for
// them (a backslash shows as is), so a look-alike is the one way that is
// sure; the text reads the same.
var escaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"*", "\u2217", "_", "\uff3f", "~", "\u223c", "`", "\u02cb",
)

func escape(s string) string { return escaper.Replace(s) }

// codeEscaper makes outside text inert inside `code`, where only Slack's
// control characters and the closing ` mean anything: the ids stay as
// they are written (diplomat_summoned).
var codeEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "\u02cb")

func (p piece) escape(s string) string {
	if p.code {
		return codeEscaper.Replace(s)
	}
	return escaper.Replace(s)
}

// linkURL returns u made safe to put in <u|label>, and false when it is
// not an absolute http or https URL (it is then shown as text, not
// linked). The characters that would end the link or its URL early are
// escaped: & < > as entities (Slack decodes them), | and white space
// percent-encoded.
func linkURL(u string) (string, bool) {
	u = strings.TrimSpace(u)
	lower := strings.ToLower(u)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") || len(u) <= len("https://") {
		return "", false
	}
	var b strings.Builder
	for _, r := range u {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '|':
			b.WriteString("%7C")
		case r <= ' ' || r == 0x7f:
			fmt.Fprintf(&b, "%%%02X", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), true
}
