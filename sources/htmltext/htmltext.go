// Package htmltext turns HTML into the plain text that rules match: the
// one rule for every source that reads HTML (feeds, pages, listings).
package htmltext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Plain turns HTML (or plain text) from a feed or a listing into plain
// text: tags removed, entities decoded, the text of script, style and the
// like dropped, block elements (p, div, li, h1, tr, …) and br ending a line,
// white space collapsed within a line, blank lines dropped, invisible
// characters that split words (soft hyphen, zero-width space, word joiner,
// BOM) removed. Lines are joined with "\n", or with " " when singleLine is
// set (titles).
//
// Plain text that happens to contain "<" followed by a letter loses what the
// tokenizer takes for a tag; sources escape such text, so this is rare.
func Plain(s string, singleLine bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	if !strings.ContainsAny(s, "<&") {
		b.WriteString(s)
	} else {
		writeHTMLText(&b, s)
	}
	return normalizeLines(b.String(), singleLine)
}

// writeHTMLText writes the text of an HTML fragment to b, through the
// tokenizer, with a line break at every block boundary and br.
func writeHTMLText(b *strings.Builder, s string) {
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside elements whose text is not content
	for {
		switch z.Next() {
		case html.ErrorToken:
			return // io.EOF, or a tokenizer error: keep what was read
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skippedElements[a] {
				skip++
			} else {
				b.WriteString(separator(a))
			}
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			if a := atom.Lookup(name); blockElements[a] {
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skippedElements[a] {
				if skip > 0 {
					skip--
				}
			} else {
				b.WriteString(separator(a))
			}
		}
	}
}

// Nodes returns the plain text of parsed nodes (the matches of a
// selector), by the rules of plainText; each node ends a line.
func Nodes(nodes []*html.Node, singleLine bool) string {
	var b strings.Builder
	for _, n := range nodes {
		writeNodeText(&b, n)
		b.WriteByte('\n')
	}
	return normalizeLines(b.String(), singleLine)
}

// writeNodeText writes the text under n to b. The parser nests at most 512
// elements deep, which bounds the recursion.
func writeNodeText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(n.Data)
		return
	case html.ElementNode:
		if skippedElements[n.DataAtom] {
			return
		}
	case html.DocumentNode:
	default:
		return // comments, doctypes
	}
	sep := separator(n.DataAtom)
	b.WriteString(sep)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeNodeText(b, c)
	}
	b.WriteString(sep)
}

// separator is what the start and the end of an element write: a line
// break for block elements, a space for table cells, nothing otherwise.
func separator(a atom.Atom) string {
	switch {
	case blockElements[a]:
		return "\n"
	case a == atom.Td || a == atom.Th:
		return " "
	}
	return ""
}

// blockElements end a line where they start and where they end.
var blockElements = map[atom.Atom]bool{
	atom.Br: true, atom.P: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Blockquote: true, atom.Pre: true,
	atom.Table: true, atom.Tr: true, atom.Hr: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Nav: true, atom.Figure: true,
	atom.Figcaption: true, atom.Address: true, atom.Main: true, atom.Caption: true,
	atom.Details: true, atom.Summary: true,
}

// skippedElements hold no readable text.
var skippedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Noscript: true,
	atom.Iframe: true, atom.Object: true, atom.Svg: true, atom.Math: true, atom.Head: true,
}

// normalizeLines collapses white space within each line, drops blank lines
// and invisible characters that split words (soft hyphen, zero-width space,
// word joiner, BOM), and joins the lines with "\n" (or " ").
func normalizeLines(s string, singleLine bool) string {
	var b strings.Builder
	b.Grow(len(s))
	sep := "\n"
	if singleLine {
		sep = " "
	}
	pendingSpace, pendingBreak := false, false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			pendingBreak = true
		case unicode.IsSpace(r):
			pendingSpace = true
		case r == '\u00AD' || r == '\u200B' || r == '\u2060' || r == '\uFEFF':
		case unicode.IsControl(r):
			pendingSpace = true
		default:
			if b.Len() > 0 {
				if pendingBreak {
					b.WriteString(sep)
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
