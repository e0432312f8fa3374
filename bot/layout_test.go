package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
)

// dump shows lines one a row, as "kind: segments": <SEVERITY>, [bold],
// `id`, {text|url} for a link.
func dump(lines []bot.Line) string {
	kinds := map[bot.LineKind]string{
		bot.LineHead: "head", bot.LineTitle: "title", bot.LineSnippet: "snippet",
		bot.LineFolded: "folded", bot.LineMore: "more", bot.LineMeta: "meta",
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(kinds[l.Kind] + ": ")
		for _, s := range l.Segs {
			text := s.Text
			switch s.Kind {
			case bot.SegSeverity:
				text = "<" + text + ">"
			case bot.SegID:
				text = "`" + text + "`"
			}
			if s.Bold {
				text = "[" + text + "]"
			}
			if s.URL != "" {
				text = "{" + text + "|" + s.URL + "}"
			}
			b.WriteString(text)
		}
		b.WriteString("\n")
	}
	return b.String()
}

var (
	msk       = time.FixedZone("MSK", 3*60*60)
	published = time.Date(2024, 2, 3, 14, 5, 0, 0, time.UTC)
)

// span is the byte range of the first occurrence of word in enStory.
func span(word string) bot.Span {
	i := strings.Index(enStory, word)
	return bot.Span{Start: i, End: i + len(word)}
}

// summonsAlert is the worked example's "diplomat summoned" alert.
func summonsAlert() *bot.Alert {
	return &bot.Alert{
		ID:          7,
		RuleID:      "diplomat-summoned",
		RuleTitle:   "Diplomat summoned",
		Ruleset:     "diplomacy",
		Severity:    "high",
		Title:       "Iraq summons US chargé d'affaires over strikes",
		URL:         "https://example.org/news/1",
		Source:      "tass-en",
		SourceTitle: "TASS",
		Snippet:     bot.NewSnippet(enStory, []bot.Span{span("summoned"), span("chargé d'affaires")}, 80),
		Countries:   []string{"IQ", "US"},
		Published:   published,
		Raised:      published.Add(2 * time.Minute),
	}
}

func TestLayout(t *testing.T) {
	folded := func(n int) []bot.Folded {
		var out []bot.Folded
		for i := range n {
			out = append(out, bot.Folded{RuleID: "protest-note", Title: fmt.Sprintf("Protest note %d", i+1), URL: fmt.Sprintf("https://example.org/%d", i+1)})
		}
		return out
	}
	tests := []struct {
		name  string
		alert func(a *bot.Alert)
		tz    *time.Location
		want  string
	}{
		{
			name: "English",
			tz:   msk,
			want: "head: <HIGH> [Diplomat summoned] · `diplomat-summoned`\n" +
				"title: {Iraq summons US chargé d'affaires over strikes|https://example.org/news/1}\n" +
				"snippet: …ministry on Saturday [summoned] the US [chargé d'affaires] in Baghdad and handed…\n" +
				"meta: IQ, US · TASS · 2024-02-03 14:05 UTC · 17:05 MSK\n",
		},
		{
			name: "Russian",
			alert: func(a *bot.Alert) {
				a.RuleTitle, a.Severity = "Вызов дипломата", "critical"
				a.Title, a.URL = "МИД Ирака вызвал временного поверенного США", "https://example.ru/новости/1"
				a.Snippet = bot.NewSnippet(ruStory, spans(t, ruStory, "вызвал", "временного поверенного"), 60)
				a.Source, a.SourceTitle = "tass-ru", "ТАСС"
			},
			tz: msk,
			want: "head: <CRITICAL> [Вызов дипломата] · `diplomat-summoned`\n" +
				"title: {МИД Ирака вызвал временного поверенного США|https://example.ru/новости/1}\n" +
				"snippet: МИД Ирака в субботу [вызвал] [временного поверенного] в делах…\n" +
				"meta: IQ, US · ТАСС · 2024-02-03 14:05 UTC · 17:05 MSK\n",
		},
		{
			name: "UTCOnly",
			tz:   nil,
			want: "head: <HIGH> [Diplomat summoned] · `diplomat-summoned`\n" +
				"title: {Iraq summons US chargé d'affaires over strikes|https://example.org/news/1}\n" +
				"snippet: …ministry on Saturday [summoned] the US [chargé d'affaires] in Baghdad and handed…\n" +
				"meta: IQ, US · TASS · 2024-02-03 14:05 UTC\n",
		},
		{
			name:  "OtherDateInZone",
			alert: func(a *bot.Alert) { a.Published = time.Date(2024, 2, 3, 22, 30, 0, 0, time.UTC) },
			tz:    msk,
			want: "head: <HIGH> [Diplomat summoned] · `diplomat-summoned`\n" +
				"title: {Iraq summons US chargé d'affaires over strikes|https://example.org/news/1}\n" +
				"snippet: …ministry on Saturday [summoned] the US [chargé d'affaires] in Baghdad and handed…\n" +
				"meta: IQ, US · TASS · 2024-02-03 22:30 UTC · 2024-02-04 01:30 MSK\n",
		},
		{
			name: "Sparse",
			alert: func(a *bot.Alert) {
				*a = bot.Alert{RuleID: "unsc-meeting-requested", Title: " Russia \n requests\tUNSC meeting ", Source: "mid-russia", Raised: published}
			},
			tz: time.UTC,
			want: "head: [`unsc-meeting-requested`]\n" +
				"title: Russia requests UNSC meeting\n" +
				"meta: mid-russia · 2024-02-03 14:05 UTC\n",
		},
		{
			name: "URLWithoutTitle",
			alert: func(a *bot.Alert) {
				*a = bot.Alert{RuleTitle: "Protest note", Severity: "medium", URL: "https://example.org/x"}
			},
			want: "head: <MEDIUM> [Protest note]\n" +
				"title: {https://example.org/x|https://example.org/x}\n",
		},
		{
			name: "FloodSummary",
			alert: func(a *bot.Alert) {
				a.RuleID, a.RuleTitle = "flood", "Flood of alerts"
				a.Title, a.URL = "13 alerts from TASS in one poll", ""
				a.Snippet, a.Countries = bot.Snippet{}, nil
				a.Folded = folded(13)
			},
			tz: msk,
			want: "head: <HIGH> [Flood of alerts] · `flood`\n" +
				"title: 13 alerts from TASS in one poll\n" +
				"folded: `protest-note`: {Protest note 1|https://example.org/1}\n" +
				"folded: `protest-note`: {Protest note 2|https://example.org/2}\n" +
				"folded: `protest-note`: {Protest note 3|https://example.org/3}\n" +
				"folded: `protest-note`: {Protest note 4|https://example.org/4}\n" +
				"folded: `protest-note`: {Protest note 5|https://example.org/5}\n" +
				"folded: `protest-note`: {Protest note 6|https://example.org/6}\n" +
				"folded: `protest-note`: {Protest note 7|https://example.org/7}\n" +
				"folded: `protest-note`: {Protest note 8|https://example.org/8}\n" +
				"folded: `protest-note`: {Protest note 9|https://example.org/9}\n" +
				"folded: `protest-note`: {Protest note 10|https://example.org/10}\n" +
				"more: and 3 more\n" +
				"meta: TASS · 2024-02-03 14:05 UTC · 17:05 MSK\n",
		},
		{
			name: "FloodSummaryShort",
			alert: func(a *bot.Alert) {
				*a = bot.Alert{RuleTitle: "Flood of alerts", Title: "2 alerts", Folded: []bot.Folded{{RuleID: "a", Title: "One"}, {Title: "Two", URL: "https://example.org/2"}, {RuleID: "c"}}}
			},
			want: "head: [Flood of alerts]\n" +
				"title: 2 alerts\n" +
				"folded: `a`: One\n" +
				"folded: {Two|https://example.org/2}\n" +
				"folded: `c`\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := summonsAlert()
			if tt.alert != nil {
				tt.alert(a)
			}
			if got := dump(bot.Layout(a, tt.tz)); got != tt.want {
				t.Errorf("Layout =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestFormatTime(t *testing.T) {
	berlin := time.FixedZone("CET", 60*60)
	noName := time.FixedZone("", 4*60*60)
	tests := []struct {
		name string
		t    time.Time
		tz   *time.Location
		want string
	}{
		{"Moscow", published, msk, "2024-02-03 14:05 UTC · 17:05 MSK"},
		{"GivenInZone", published.In(berlin), msk, "2024-02-03 14:05 UTC · 17:05 MSK"},
		{"Nil", published, nil, "2024-02-03 14:05 UTC"},
		{"UTC", published, time.UTC, "2024-02-03 14:05 UTC"},
		{"NextDay", time.Date(2024, 2, 3, 23, 30, 0, 0, time.UTC), berlin, "2024-02-03 23:30 UTC · 2024-02-04 00:30 CET"},
		{"DayBefore", time.Date(2024, 2, 3, 0, 30, 0, 0, time.UTC), time.FixedZone("EST", -5*60*60), "2024-02-03 00:30 UTC · 2024-02-02 19:30 EST"},
		{"NoAbbreviation", published, noName, "2024-02-03 14:05 UTC · 18:05 +0400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bot.FormatTime(tt.t, tt.tz); got != tt.want {
				t.Errorf("FormatTime = %q, want %q", got, tt.want)
			}
		})
	}
}
