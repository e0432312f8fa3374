package telegram

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// plainText is the text inside n: <br> and block elements end a line,
// emoji images give their alt text, the text of a link is followed by
// " (URL)" when it does not show the URL itself (see linkTarget; never
// when base is nil), other tags are dropped and entities decoded (the
// parser did that). Lines are normalised by normalizeLines.
func plainText(n *html.Node, base *url.URL) string {
	var b strings.Builder
	writeText(&b, n, base)
	return normalizeLines(b.String())
}

func writeText(b *strings.Builder, n *html.Node, base *url.URL) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			b.WriteString(c.Data)
		case html.ElementNode:
			switch c.DataAtom {
			case atom.Br:
				b.WriteByte('\n')
			case atom.Img:
				b.WriteString(attr(c, "alt"))
			case atom.Script, atom.Style, atom.Template, atom.Svg:
			case atom.A:
				start := b.Len()
				writeText(b, c, base)
				if base == nil {
					continue
				}
				if target := linkTarget(b.String()[start:], attr(c, "href"), base); target != "" {
					b.WriteString(" (" + target + ")")
				}
			case atom.Blockquote, atom.Pre, atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol:
				b.WriteByte('\n')
				writeText(b, c, base)
				b.WriteByte('\n')
			default:
				writeText(b, c, base)
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// linkTarget is the absolute http(s) address of a link whose text is
// text, or "" when writing it would add nothing: a hashtag, cashtag or
// @mention, a link to another scheme (tg:, mailto:), or a link whose text
// is its own address (give or take the scheme, "www.", a final "/",
// percent-encoding, or Telegram's "…" shortening). A link without text
// gives its address.
func linkTarget(text, href string, base *url.URL) string {
	text = strings.TrimSpace(text)
	if href == "" || strings.HasPrefix(text, "#") || strings.HasPrefix(text, "@") || strings.HasPrefix(text, "$") {
		return ""
	}
	abs := resolve(base, href)
	if !strings.HasPrefix(abs, "https://") && !strings.HasPrefix(abs, "http://") {
		return ""
	}
	if text == "" {
		return abs
	}
	t, cut := strings.CutSuffix(text, "…")
	t = bareURL(t)
	for _, h := range []string{abs, unescape(abs)} {
		h = bareURL(h)
		if t == h || cut && strings.HasPrefix(h, t) {
			return ""
		}
	}
	return abs
}

func bareURL(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "https://")
	s = strings.TrimPrefix(s, "http://")
	s = strings.TrimPrefix(s, "www.")
	return strings.TrimSuffix(s, "/")
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// normalizeLines makes text of s: invalid UTF-8 replaced, runs of white
// space and control characters one space, invisible characters that
// split words (soft hyphen, zero-width space, word joiner, BOM) removed,
// each line trimmed, blank lines dropped, lines joined with "\n".
func normalizeLines(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace, pendingBreak := false, false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			pendingBreak = true
		case unicode.IsSpace(r) || unicode.IsControl(r):
			pendingSpace = true
		case r == '\u00AD' || r == '\u200B' || r == '\u2060' || r == '\uFEFF':
		default:
			if b.Len() > 0 {
				if pendingBreak {
					b.WriteByte('\n')
				} else if pendingSpace {
					b.WriteByte(' ')
				}
			}
			pendingSpace, pendingBreak = false, false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxTitle is the length of a title in runes, "…" not counted: about
// what a notification shows on one line.
const maxTitle = 120

// title is the first line of text; a line longer than maxTitle runes is
// cut after its last whole word within them (mid-word only when no space
// falls in their second half), trailing punctuation dropped, and "…" added.
func title(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	if utf8.RuneCountInString(line) <= maxTitle {
		return line
	}
	cut, n := len(line), 0
	for i := range line {
		if n == maxTitle {
			cut = i
			break
		}
		n++
	}
	head := line[:cut]
	if r, _ := utf8.DecodeRuneInString(line[cut:]); !unicode.IsSpace(r) {
		if sp := strings.LastIndexFunc(head, unicode.IsSpace); sp > len(head)/2 {
			head = head[:sp] // the last whole word
		}
	}
	return strings.TrimRight(head, " \t,;:-–—") + "…"
}
