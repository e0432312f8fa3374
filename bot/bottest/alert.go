package bottest

import (
	"strings"
	"time"

	"github.com/alertbot/alertbot/bot"
)

// sampleStory is the text of the worked example's news item.
const sampleStory = `Iraq's foreign ministry on Saturday summoned the US chargé d'affaires in Baghdad and handed her a note of protest over the overnight strikes.`

// SampleAlert returns the worked example's "diplomat summoned" alert, the
// one the messengers' tests send: its snippet marks "summoned" and "chargé
// d'affaires", and it was published at 14:05 UTC on 3 Feb 2024. Each call
// returns a fresh copy, so a test may change it.
func SampleAlert() *bot.Alert {
	span := func(w string) bot.Span {
		i := strings.Index(sampleStory, w)
		return bot.Span{Start: i, End: i + len(w)}
	}
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
		Snippet:     bot.NewSnippet(sampleStory, []bot.Span{span("summoned"), span("chargé d'affaires")}, 200),
		Countries:   []string{"IQ", "US"},
		Published:   time.Date(2024, 2, 3, 14, 5, 0, 0, time.UTC),
	}
}
