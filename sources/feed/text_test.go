package feed

import "testing"

func TestPlainText(t *testing.T) {
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
			if got := plainText(tt.in, tt.singleLine); got != tt.want {
				t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
