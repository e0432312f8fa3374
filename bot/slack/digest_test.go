package slack_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/bot/slack"
)

// bigDigest is bottest's big digest, with Slack's markup and mentions for
// hostile strings.
func bigDigest() *bot.Digest {
	return bottest.BigDigest(msk, bottest.Hostile{
		Titles: []string{
			`<b>bold?</b>`, `a & b &amp; c`, `<!channel> <!here|here> <@U123>`, `*bold* _x_ ~s~ ` + "`c` ```p```",
			`<https://evil.example|click>`, `> quote`, `:rotating_light: @channel`, `plain`,
		},
		RulesetTitle: "Military <!channel> moves & drills",
		SourceTitle:  "*Reuters*",
		AppURL:       "slack://channel?id=C%d",
		URLSuffix:    "|x",
	})
}

var emojis = map[string]string{"low": ":large_blue_circle:", "medium": ":large_yellow_circle:", "high": ":red_circle:", "critical": ":rotating_light:"}

var (
	linkRE    = regexp.MustCompile(`<([^<>|]*)\|([^<>]*)>`)
	unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "∗", "*", "＿", "_", "∼", "~", "ˋ", "`")
)

// plain returns a line of mrkdwn as the text it shows, its severity's
// emoji first, after checking that what outside text it holds is inert:
// no link but ours to the items, no mention, no formatting but our bold.
func plain(t *testing.T, line string) string {
	t.Helper()
	var emoji string
	for _, e := range emojis {
		if rest, ok := strings.CutPrefix(line, e+" "); ok {
			emoji, line = e+" ", rest
		}
	}
	line = linkRE.ReplaceAllStringFunc(line, func(link string) string {
		m := linkRE.FindStringSubmatch(link)
		if !strings.HasPrefix(m[1], "https://example.org/n/") || strings.ContainsAny(m[1], " |<>") {
			t.Errorf("link to %q in %q", m[1], line)
		}
		return m[2]
	})
	for _, bad := range []string{"<", ">", "_", "~", "`", ":rotating_light:"} {
		if strings.Contains(line, bad) {
			t.Errorf("outside text makes %q in %q", bad, line)
		}
	}
	if strings.HasPrefix(line, "&gt;") {
		t.Errorf("a quote: %q", line)
	}
	if n := strings.Count(line, "*"); n%2 != 0 {
		t.Errorf("%d * in %q", n, line)
	}
	return emoji + unescaper.Replace(strings.ReplaceAll(line, "*", ""))
}

// checkDigestPosts checks that the posts of d hold its lines, each once,
// in order, whole, and are full but for the last, and within Slack's
// limits.
func checkDigestPosts(t *testing.T, d *bot.Digest, posts []bottest.SlackPost) {
	t.Helper()
	want := bottest.WantDigestLines(d, emojis)
	var got []string
	grouped := false // a section with more than one event
	for i, p := range posts {
		wantHead := want.Head
		if i > 0 {
			wantHead += " (continued)"
		}
		if p.Text != wantHead {
			t.Errorf("post %d: text %q, want %q", i, p.Text, wantHead)
		}
		blocks := bottest.SlackReadBlocks(t, p.Blocks)
		if len(blocks) < 2 || blocks[0].Type != "section" || plain(t, blocks[0].Text) != wantHead || !strings.HasPrefix(blocks[0].Text, "*") {
			t.Fatalf("post %d starts with %+v, want a section: *%s*", i, blocks[:min(2, len(blocks))], wantHead)
		}
		if i == 0 {
			if blocks[1] != (bottest.SlackBlock{Type: "context", Text: want.Counts}) {
				t.Errorf("post 0 goes on with %+v, want the counts in a context block", blocks[1])
			}
			blocks = slices.Delete(blocks, 1, 2)
		} else if blocks[1].Type != "section" || !want.Sections[plain(t, blocks[1].Text)] {
			t.Errorf("post %d goes on with %+v, want a rule set's title", i, blocks[1])
		}
		width := 0
		for _, b := range blocks {
			width += len(utf16.Encode([]rune(b.Text)))
		}
		for _, b := range blocks[1:] {
			if b.Type != "section" {
				t.Errorf("post %d: a %s block", i, b.Type)
			}
			lines := strings.Split(b.Text, "\n")
			if len(lines) > 1 {
				grouped = true
			}
			for _, l := range lines {
				text := plain(t, l)
				switch {
				case !want.Sections[text]:
					got = append(got, text)
				case len(lines) > 1:
					t.Errorf("post %d: a rule set's title among events: %q", i, l)
				}
			}
		}
		if len(blocks) > slack.MaxBlocks || width > 12000 {
			t.Errorf("post %d: %d blocks of %d characters", i, len(blocks), width)
		}
		// Full: a rule set's title and an event line, at most about 1,100
		// units with their escapes, did not fit after it.
		if i < len(posts)-1 && width < 12000-1500 && len(blocks) < slack.MaxBlocks-2 {
			t.Errorf("post %d of %d: %d blocks of %d characters: not full", i, len(posts), len(blocks), width)
		}
	}
	if len(want.Events) > 1 && !grouped {
		t.Errorf("no section holds more than one event")
	}
	bottest.CheckDigestEvents(t, got, want.Events)
}

// sendAll sends d to a fake and returns the posts it accepted: the whole
// digest, for comparing.
func sendAll(t *testing.T, d *bot.Digest) []bottest.SlackPost {
	t.Helper()
	c := newClock()
	s := bottest.NewSlackServer(t, bottest.SlackWithClock(c.Now))
	m := slack.New(token, s.APIURL(), slack.WithClock(c))
	if err := m.SendDigest(context.Background(), "slack:C1", d, 0, func(int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	return s.Accepted()
}

func TestSendDigest(t *testing.T) {
	d := bigDigest()
	if d.Alerts != 500 || d.Events() < 400 {
		t.Fatalf("digest of %d alerts in %d events", d.Alerts, d.Events())
	}
	c := newClock()
	// The fake limits as Slack does, by the same clock.
	s := bottest.NewSlackServer(t, bottest.SlackWithClock(c.Now))
	m := slack.New(token, s.APIURL(), slack.WithClock(c))
	var sent []int
	if err := m.SendDigest(context.Background(), "slack:C1", d, 0, func(i int) error {
		sent = append(sent, i)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	posts := s.Posts()
	if len(posts) < 5 {
		t.Fatalf("%d posts, want several", len(posts))
	}
	for i, p := range posts {
		if p.Error != "" || p.Channel != "C1" {
			t.Fatalf("post %d to %s: %s", i, p.Channel, p.Error)
		}
		for key, want := range map[string]string{"unfurl_links": "false", "unfurl_media": "false", "link_names": "", "parse": ""} {
			if got := p.Form.Get(key); got != want {
				t.Errorf("post %d: %s = %q, want %q", i, key, got, want)
			}
		}
	}
	if want := seq(0, len(posts)); !slices.Equal(sent, want) {
		t.Errorf("sent(%v), want %v", sent, want)
	}
	// Paced as alerts are: a burst, then one a second.
	var slept []time.Duration
	for range len(posts) - slack.PaceBurst {
		slept = append(slept, slack.PaceInterval)
	}
	if got := c.Slept(); !slices.Equal(got, slept) {
		t.Errorf("slept %v, want %v", got, slept)
	}
	checkDigestPosts(t, d, posts)
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestSendDigestSmall(t *testing.T) {
	entries := []bot.DigestEntry{
		{AlertID: 1, RuleID: "summoned", RuleTitle: "Diplomat summoned", Ruleset: "diplomacy", RulesetTitle: "Diplomatic <incidents>",
			Severity: "high", Title: `Iraq summons <b>US</b> chargé & "co" *now*`, URL: "https://example.org/1?a=1&b=2",
			Source: "tass", SourceTitle: "TASS", At: bottest.DigestFrom.Add(2 * time.Hour)},
		{AlertID: 2, RuleID: "protest", Ruleset: "diplomacy",
			Severity: "urgent", Title: "Note of protest", URL: "javascript:alert(1)",
			Source: "ria", At: bottest.DigestFrom.Add(3 * time.Hour)},
	}
	d := bot.NewDigest(bottest.DigestFrom, bottest.DigestTo, msk, entries, nil)
	posts := sendAll(t, d)
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	if want := "Digest · 3 Feb 08:00 – 4 Feb 08:00 MSK"; posts[0].Text != want {
		t.Errorf("text = %q, want %q", posts[0].Text, want)
	}
	want := []bottest.SlackBlock{
		{Type: "section", Text: "*Digest · 3 Feb 08:00 – 4 Feb 08:00 MSK*"},
		{Type: "context", Text: "2 alerts in 2 events · 1 high"},
		{Type: "section", Text: "*Diplomatic &lt;incidents&gt;* (2)"},
		{Type: "section", Text: `:red_circle: 3 Feb 10:00 *HIGH* Diplomat summoned · <https://example.org/1?a=1&amp;b=2|Iraq summons &lt;b&gt;US&lt;/b&gt; chargé &amp; "co" ∗now∗> · TASS` + "\n" +
			"3 Feb 11:00 *URGENT* protest · Note of protest · ria"},
	}
	if got := bottest.SlackReadBlocks(t, posts[0].Blocks); !slices.Equal(got, want) {
		t.Errorf("blocks =\n%q\nwant\n%q", got, want)
	}
}

func TestSendDigestQuiet(t *testing.T) {
	d := bot.NewDigest(bottest.DigestFrom, bottest.DigestTo, msk, nil, nil)
	posts := sendAll(t, d)
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	want := "Digest · 3 Feb 08:00 – 4 Feb 08:00 MSK · nothing raised"
	if posts[0].Text != want {
		t.Errorf("text = %q, want %q", posts[0].Text, want)
	}
	if got := bottest.SlackReadBlocks(t, posts[0].Blocks); !slices.Equal(got, []bottest.SlackBlock{{Type: "section", Text: "*" + want + "*"}}) {
		t.Errorf("blocks = %q, want one section", got)
	}
}

func TestSendDigestResumes(t *testing.T) {
	d := bigDigest()
	all := sendAll(t, d)
	stop := errors.New("not recorded")
	tests := []struct {
		name     string
		from     int
		failAt   int // sent(failAt) fails; -1: never
		wantSent []int
		wantErr  error
	}{
		{"from 3", 3, -1, seq(3, len(all)), nil},
		{"from the last", len(all) - 1, -1, []int{len(all) - 1}, nil},
		{"all sent", len(all), -1, nil, nil},
		{"sent fails", 2, 3, []int{2, 3}, stop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			s := bottest.NewSlackServer(t, bottest.SlackWithClock(c.Now))
			m := slack.New(token, s.APIURL(), slack.WithClock(c))
			var sent []int
			err := m.SendDigest(context.Background(), "slack:C1", d, tt.from, func(i int) error {
				sent = append(sent, i)
				if i == tt.failAt {
					return stop
				}
				return nil
			})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("SendDigest: %v, want %v", err, tt.wantErr)
			}
			if !slices.Equal(sent, tt.wantSent) {
				t.Errorf("sent(%v), want %v", sent, tt.wantSent)
			}
			posts := s.Posts()
			if len(posts) != len(tt.wantSent) {
				t.Fatalf("%d posts, want messages %v", len(posts), tt.wantSent)
			}
			for j, i := range tt.wantSent {
				if posts[j].Text != all[i].Text || string(posts[j].Blocks) != string(all[i].Blocks) {
					t.Errorf("post %d is not message %d", j, i)
				}
			}
		})
	}
}

func TestSendDigestErrors(t *testing.T) {
	tests := []struct {
		name    string
		chat    string
		failure bottest.SlackFailure
		wait    time.Duration // > 0: a *bot.RetryAfter of that wait
		gone    bool
	}{
		{name: "RateLimited", chat: "slack:CX", failure: bottest.SlackRateLimited(3 * time.Second), wait: 3 * time.Second},
		{name: "ChannelNotFound", chat: "slack:CX", failure: bottest.SlackError("channel_not_found"), gone: true},
		{name: "IsArchived", chat: "slack:CX", failure: bottest.SlackError("is_archived"), gone: true},
		{name: "InternalError", chat: "slack:CX", failure: bottest.SlackInternalError()},
		{name: "NotSlack", chat: "telegram:-100123", gone: true},
	}
	for _, tt := range tests {
		for _, failAt := range []int{0, 2} {
			if tt.failure == (bottest.SlackFailure{}) && failAt > 0 {
				continue
			}
			t.Run(fmt.Sprintf("%s at %d", tt.name, failAt), func(t *testing.T) {
				c := newClock()
				s := bottest.NewSlackServer(t, bottest.SlackWithClock(c.Now))
				m := slack.New(token, s.APIURL(), slack.WithClock(c))
				if failAt == 0 {
					s.Fail("CX", tt.failure)
				}
				var sent []int
				err := m.SendDigest(context.Background(), tt.chat, bigDigest(), 0, func(i int) error {
					sent = append(sent, i)
					if i == failAt-1 {
						s.Fail("CX", tt.failure)
					}
					return nil
				})
				bottest.CheckSendError(t, err, tt.wait, tt.gone)
				if !strings.HasPrefix(err.Error(), "slack: send digest") || strings.Contains(err.Error(), "secret-token") {
					t.Errorf("error %q", err)
				}
				if want := seq(0, failAt); !slices.Equal(sent, want) {
					t.Errorf("sent(%v), want %v", sent, want)
				}
				if n := len(s.Accepted()); n != failAt {
					t.Errorf("%d posts accepted, want %d", n, failAt)
				}
			})
		}
	}
}
