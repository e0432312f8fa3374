package htmltext

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestPlainText(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		singleLine bool
		want       string
	}{
		{"plain", "  Statement  on\tUkraine ", false, "Statement on Ukraine"},
		{"entities", "Russia&#8217;s &#8220;strikes&#8221; &amp; more&nbsp;here", true, "Russia’s “strikes” & more here"},
		{"paragraphs", "<p>One.</p>\n<p>Two <b>bold</b>.</p>", false, "One.\nTwo bold."},
		{"br in a title", "Line<br/>two", true, "Line two"},
		{"br in a text", "Line<br />\ntwo", false, "Line\ntwo"},
		{"script and style dropped", "<p>a</p><script>x()</script><style>p{}</style><p>b</p>", false, "a\nb"},
		{"table cells", "<table><tr><td>1</td><td>2</td></tr></table>", false, "1 2"},
		{"invisible characters", "Secu\u00ADrity\u200B Council", true, "Security Council"},
		{"invalid UTF-8", "a\xffb", true, "a\uFFFDb"},
		{"unclosed tag", "<p>text <a href=", false, "text"},
		{"empty", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Plain(tt.in, tt.singleLine); got != tt.want {
				t.Errorf("Plain(%q, %v) = %q, want %q", tt.in, tt.singleLine, got, tt.want)
			}
		})
	}
}

func TestNodesText(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		singleLine bool
		want       string
	}{
		{"paragraphs", "<div><p>One.</p><p>Two&nbsp;<i>it</i>.</p></div>", false, "One.\nTwo it."},
		{"title with br", "<h1>Briefing<br>by the spokesperson</h1>", true, "Briefing by the spokesperson"},
		{"script dropped", "<div>a<script>var x = '<p>';</script><noscript>n</noscript>b</div>", false, "ab"},
		{"comment dropped", "<p>a<!-- hidden -->b</p>", false, "ab"},
		{"list", "<ul><li>Japan</li><li>Korea</li></ul>", false, "Japan\nKorea"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := Nodes([]*html.Node{doc}, tt.singleLine); got != tt.want {
				t.Errorf("Nodes(%q, %v) = %q, want %q", tt.in, tt.singleLine, got, tt.want)
			}
		})
	}
}

func TestPlainFeedFields(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		singleLine bool
		want       string
	}{
		{"plain", "Security Council meets", false, "Security Council meets"},
		{"white space collapsed", "  Security\t Council \u00a0meets  ", false, "Security Council meets"},
		{"paragraphs", "<p>One.</p><p>Two.</p>", false, "One.\nTwo."},
		{"br variants", "a<br>b<br/>c<BR />d", false, "a\nb\nc\nd"},
		{"list items", "<ul><li>first</li><li>second</li></ul>", false, "first\nsecond"},
		{"headings and divs", "<h2>Title</h2><div>body <span>text</span></div>", false, "Title\nbody text"},
		{"inline tags keep words whole", "sum<b>mon</b>ed <i>chargé</i>", false, "summoned chargé"},
		{"entities", "AT&amp;T &laquo;quoted&raquo; &#8220;x&#8221; &nbsp;y &hellip;", false, "AT&T «quoted» “x” y …"},
		{"double-escaped entity", "caf&amp;eacute;", false, "caf&eacute;"},
		{"bare ampersand", "Q&A: Iraq & Syria", false, "Q&A: Iraq & Syria"},
		{"less-than in text", "x < y and 3<4", false, "x < y and 3<4"},
		{"script and style dropped", "a<script>var x = '<p>';</script>b<style>p{}</style>c", false, "abc"},
		{"comments dropped", "a<!-- hidden -->b", false, "ab"},
		{"blank lines dropped", "<p>a</p>\n\n<p> </p>\n<p>b</p>", false, "a\nb"},
		{"table cells", "<table><tr><td>Vote</td><td>13</td></tr><tr><td>Against</td><td>0</td></tr></table>", false, "Vote 13\nAgainst 0"},
		{"soft hyphen and zero-width space", "sum\u00admoned con\u200bvened", false, "summoned convened"},
		{"control characters", "a\x00b\x07c", false, "a b c"},
		{"invalid utf-8", "a\xffb", false, "a\uFFFDb"},
		{"unclosed tag", "text <b>bold", false, "text bold"},
		{"title on one line", "<p>Line one</p><p>Line two</p>", true, "Line one Line two"},
		{"title newlines", "Security Council\n  meets", true, "Security Council meets"},
		{"empty", "", false, ""},
		{"only markup", "<img src=\"x.png\"><br/>", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Plain(tt.in, tt.singleLine); got != tt.want {
				t.Errorf("Plain(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
