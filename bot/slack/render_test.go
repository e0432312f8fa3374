package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
)

var msk = time.FixedZone("MSK", 3*60*60)

// summonsAlert is bottest.SampleAlert with a rule id and a link that
// the renderer must escape.
func summonsAlert() *bot.Alert {
	a := bottest.SampleAlert()
	a.RuleID = "diplomat_summoned"
	a.URL = "https://example.org/news/1?a=1&b=2"
	return a
}

// texts lists a message's texts, one per block (context elements joined
// by " | "), after the block's type.
func texts(t *testing.T, msg message) string {
	t.Helper()
	raw, err := json.Marshal(msg.blocks)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, bl := range bottest.SlackReadBlocks(t, raw) {
		b.WriteString(bl.Type + ": " + bl.Text + "\n")
	}
	return b.String()
}

func TestRender(t *testing.T) {
	folded := func(n int) []bot.Folded {
		var out []bot.Folded
		for i := range n {
			out = append(out, bot.Folded{RuleID: "protest-note", Title: fmt.Sprintf("Note %d", i+1), URL: fmt.Sprintf("https://example.org/%d", i+1)})
		}
		return out
	}
	tests := []struct {
		name     string
		alert    func(a *bot.Alert)
		tz       *time.Location
		want     string
		wantText string
	}{
		{
			name: "Summons",
			tz:   msk,
			want: "section: :red_circle: *HIGH* *Diplomat summoned* · `diplomat_summoned`\n" +
				"section: *<https://example.org/news/1?a=1&amp;b=2|Iraq summons US chargé d'affaires over strikes>*\n" +
				"section: Iraq's foreign ministry on Saturday *summoned* the US *chargé d'affaires* in Baghdad and handed her a note of protest over the overnight strikes.\n" +
				"context: IQ, US · TASS · 2024-02-03 14:05 UTC · 17:05 MSK\n",
			wantText: "HIGH Diplomat summoned · diplomat＿summoned: Iraq summons US chargé d'affaires over strikes",
		},
		{
			name: "Critical",
			alert: func(a *bot.Alert) {
				a.Severity, a.Snippet, a.Countries, a.SourceTitle = "critical", bot.Snippet{}, nil, ""
			},
			want: "section: :rotating_light: *CRITICAL* *Diplomat summoned* · `diplomat_summoned`\n" +
				"section: *<https://example.org/news/1?a=1&amp;b=2|Iraq summons US chargé d'affaires over strikes>*\n" +
				"context: tass-en · 2024-02-03 14:05 UTC\n",
			wantText: "CRITICAL Diplomat summoned · diplomat＿summoned: Iraq summons US chargé d'affaires over strikes",
		},
		{
			name: "UnknownSeverityNoLink",
			alert: func(a *bot.Alert) {
				a.Severity, a.URL, a.Snippet = "odd", "javascript:alert(1)", bot.Snippet{}
			},
			want: "section: *ODD* *Diplomat summoned* · `diplomat_summoned`\n" +
				"section: *Iraq summons US chargé d'affaires over strikes*\n" +
				"context: IQ, US · TASS · 2024-02-03 14:05 UTC\n",
			wantText: "ODD Diplomat summoned · diplomat＿summoned: Iraq summons US chargé d'affaires over strikes",
		},
		{
			name: "FloodSummary",
			alert: func(a *bot.Alert) {
				a.RuleID, a.RuleTitle, a.Severity = "flood", "Flood of alerts", "medium"
				a.Title, a.URL, a.Snippet, a.Countries = "12 alerts from TASS in one poll", "", bot.Snippet{}, nil
				a.Folded = folded(12)
			},
			want: "section: :large_yellow_circle: *MEDIUM* *Flood of alerts* · `flood`\n" +
				"section: *12 alerts from TASS in one poll*\n" +
				"section: • `protest-note`: <https://example.org/1|Note 1>\n" +
				"• `protest-note`: <https://example.org/2|Note 2>\n" +
				"• `protest-note`: <https://example.org/3|Note 3>\n" +
				"• `protest-note`: <https://example.org/4|Note 4>\n" +
				"• `protest-note`: <https://example.org/5|Note 5>\n" +
				"• `protest-note`: <https://example.org/6|Note 6>\n" +
				"• `protest-note`: <https://example.org/7|Note 7>\n" +
				"• `protest-note`: <https://example.org/8|Note 8>\n" +
				"• `protest-note`: <https://example.org/9|Note 9>\n" +
				"• `protest-note`: <https://example.org/10|Note 10>\n" +
				"• and 2 more\n" +
				"context: TASS · 2024-02-03 14:05 UTC\n",
			wantText: "MEDIUM Flood of alerts · flood: 12 alerts from TASS in one poll",
		},
		{
			name: "Hostile",
			alert: func(a *bot.Alert) {
				a.Title = "<!channel> *Breaking* _news_ ~now~ `x` & <@U123>"
				a.URL = "https://evil.example/a|b>c<d e"
				a.SourceTitle = "<https://evil.example|TASS>"
				a.Snippet = bot.Snippet{Text: "> quote <!here> *bold* & more", Bold: []bot.Span{{Start: 16, End: 22}}}
			},
			want: "section: :red_circle: *HIGH* *Diplomat summoned* · `diplomat_summoned`\n" +
				"section: *<https://evil.example/a%7Cb&gt;c&lt;d%20e|&lt;!channel&gt; ∗Breaking∗ ＿news＿ ∼now∼ ˋxˋ &amp; &lt;@U123&gt;>*\n" +
				"section: › quote &lt;!here&gt; *∗bold∗* &amp; more\n" +
				"context: IQ, US · &lt;https://evil.example|TASS&gt; · 2024-02-03 14:05 UTC\n",
			wantText: "HIGH Diplomat summoned · diplomat＿summoned: &lt;!channel&gt; ∗Breaking∗ ＿news＿ ∼now∼ ˋxˋ &amp; &lt;@U123&gt;",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := summonsAlert()
			if tt.alert != nil {
				tt.alert(a)
			}
			msg := render(a, tt.tz)
			if got := texts(t, msg); got != tt.want {
				t.Errorf("blocks =\n%s\nwant\n%s", got, tt.want)
			}
			if msg.text != tt.wantText {
				t.Errorf("text = %q, want %q", msg.text, tt.wantText)
			}
		})
	}
}

func TestRenderWithinLimits(t *testing.T) {
	hostile := "<!channel> <@U123> & *bold* _it_ ~s~ `c` > [a](b) \\*x\\* "
	long := strings.Repeat(hostile, 200) // about 11,000 characters, mostly escapes
	bigURL := "https://example.org/" + strings.Repeat("a&b", 1000)
	folded := make([]bot.Folded, 30)
	for i := range folded {
		folded[i] = bot.Folded{RuleID: strings.Repeat("r", 300), Title: long, URL: bigURL}
	}
	tests := []struct {
		name  string
		alert *bot.Alert
	}{
		{"LongEverything", &bot.Alert{
			RuleID: strings.Repeat("rule-", 1000), RuleTitle: long, Severity: "critical", Title: long, URL: "https://example.org/x",
			Snippet: bot.Snippet{Text: long, Bold: []bot.Span{{Start: 0, End: len(long)}}}, SourceTitle: long,
			Countries: []string{"IQ"}, Published: time.Now(),
		}},
		{"LongURL", &bot.Alert{RuleID: "r", Title: "a title", URL: bigURL}},
		{"FloodOfLong", &bot.Alert{RuleID: "flood", Title: long, URL: bigURL, Folded: folded}},
		{"FourByteRunes", &bot.Alert{RuleID: "r", Title: strings.Repeat("𝔸", 5000), Snippet: bot.Snippet{Text: strings.Repeat("😀", 5000)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := render(tt.alert, msk)
			raw, err := json.Marshal(msg.blocks)
			if err != nil {
				t.Fatal(err)
			}
			if errs := bottest.SlackCheckBlocks(raw); errs != nil {
				t.Errorf("Slack would reject the blocks: %v", errs)
			}
			total := 0
			for _, s := range strings.Split(texts(t, msg), "\n") {
				_, s, _ = strings.Cut(s, ": ")
				if n := width(s); n > MaxTextObject {
					t.Errorf("a text of %d UTF-16 units: %.80q…", n, s)
				}
				total += width(s)
			}
			if total > 9000 {
				t.Errorf("blocks hold %d UTF-16 units, want at most 9000", total)
			}
			if n := width(msg.text); n > fallbackBudget {
				t.Errorf("top-level text of %d units, want at most %d", n, fallbackBudget)
			}
			if len(msg.blocks) > MaxBlocks {
				t.Errorf("%d blocks", len(msg.blocks))
			}
			checkHarmless(t, texts(t, msg)+msg.text)
		})
	}
}

// checkHarmless fails if s holds a mention or a formatting character of
// the hostile text (but for the severity emoji of ours).
func checkHarmless(t *testing.T, s string) {
	t.Helper()
	for _, e := range severityEmoji {
		s = strings.ReplaceAll(s, e, "")
	}
	for _, bad := range []string{"<!", "<@", "_", "~", "\\*x"} {
		if strings.Contains(s, bad) {
			t.Errorf("%q in %.200q", bad, s)
		}
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		name   string
		pieces []piece
		budget int
		want   string
	}{
		{"Fits", []piece{{text: "a "}, {open: "*", text: "b", close: "*"}}, 10, "a *b*"},
		{"ExactlyFits", []piece{{text: "abcde"}}, 5, "abcde"},
		{"CutPlain", []piece{{text: "abcdefgh"}}, 5, "abcd…"},
		{"CutInsideBold", []piece{{text: "ab "}, {open: "*", text: "cdefgh", close: "*"}}, 8, "ab *cd*…"},
		{"NoRoomForBoldText", []piece{{text: "ab "}, {open: "*", text: "cdefgh", close: "*"}}, 5, "ab…"},
		{"NeverInsideEscape", []piece{{text: "a&b"}}, 5, "a…"},
		{"EscapeCounts", []piece{{text: "a&bc"}}, 7, "a&amp;…"},
		{"TrailingSpaceDropped", []piece{{text: "ab   cd"}}, 6, "ab…"},
		{"SurrogatePairs", []piece{{text: "😀😀😀"}}, 5, "😀😀…"},
		{"LinkDroppedForLabel", []piece{{open: "<https://example.org/very/long/url|", text: "a title of some length", close: ">", unlinked: &piece{text: "a title of some length"}}}, 30, "a title of some length…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fit(tt.pieces, tt.budget); got != tt.want {
				t.Errorf("fit = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLinkURL(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"https://example.org/a?b=1&c=2", "https://example.org/a?b=1&amp;c=2", true},
		{" HTTP://example.org/ ", "HTTP://example.org/", true},
		{"https://example.org/a|b>c<d e\tf", "https://example.org/a%7Cb&gt;c&lt;d%20e%09f", true},
		{"https://", "", false},
		{"javascript:alert(1)", "", false},
		{"mailto:a@b.c", "", false},
		{"//example.org/x", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := linkURL(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("linkURL(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
