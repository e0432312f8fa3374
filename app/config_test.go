package app

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const validConfig = `
sources:
  - id: un-press
    kind: rss
    url: https://press.un.org/en/rss.xml
    every: 2m
  - id: tass
    kind: rss
    url: https://tass.ru/rss/v2.xml
rulesets:
  - id: diplomacy
    title: Diplomatic incidents
    rules:
      - id: diplomat-summoned
        title: Diplomat summoned
        severity: high
        query: 'summon* NEAR/5 (ambassador OR envoy)'
        examples:
          match: ["Iraq summoned the US envoy"]
          no_match: ["The court summoned a witness"]
subscriptions:
  - chat: telegram:-1001234567890/3
    rulesets: [diplomacy]
    min_severity: medium
    digest: {cron: "0 8 * * *", tz: Europe/Moscow}
`

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig("test.yaml", []byte(validConfig))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Sources[0].Every, 2*time.Minute; got != want {
		t.Errorf("every = %v, want %v", got, want)
	}
	// Defaults, from applyDefaults.
	if got, want := c.Sources[1].Every, DefaultEvery; got != want {
		t.Errorf("default every = %v, want %v", got, want)
	}
	if got, want := c.Sources[1].FloodLimit, DefaultFloodLimit; got != want {
		t.Errorf("default flood_limit = %v, want %v", got, want)
	}
	if got, want := c.Storage, DefaultStorage; got != want {
		t.Errorf("default storage = %q, want %q", got, want)
	}
	if got, want := c.Rulesets[0].Rules[0].Examples.Match[0].Text, "Iraq summoned the US envoy"; got != want {
		t.Errorf("example = %q, want %q", got, want)
	}
	lib, err := NewLibrary(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.CheckExamples(c); err != nil {
		t.Error(err)
	}
}

// TestConfigErrors checks that every problem is reported at once, each at
// its position, as FILE:LINE:COL: path: message.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   []string
	}{
		{"unknown keys everywhere", `
storage: sqlite:x.db
colour: blue
rulesets:
  - id: d
    title: D
    rules:
      - id: r
        title: R
        severity: high
        query: envoy
        sevrity: low
`, []string{
			`c.yaml:3:1: colour: unknown key (want one of storage, http, telegram, slack, sources, rulesets, subscriptions, digest_grace)`,
			`c.yaml:12:9: rulesets[0].rules[0].sevrity: unknown key (want one of id, title, severity, query, lang, source, examples)`,
		}},
		{"query column, single quoted", `
rulesets:
  - id: d
    title: D
    rules:
      - id: r
        title: R
        severity: high
        query: 'summon* NEAR/5 (ambassador OR envoy'
`, []string{`c.yaml:9:32: rulesets[0].rules[0].query: unmatched "("`}},
		{"query column, plain, after Russian", `
rulesets:
  - id: d
    title: D
    rules:
      - id: r
        title: R
        severity: high
        query: вызван посол )
`, []string{`c.yaml:9:29: rulesets[0].rules[0].query: unmatched ")"`}},
		{"query column, folded block", `
rulesets:
  - id: d
    title: D
    rules:
      - id: r
        title: R
        severity: high
        query: >-
          (summoned OR "called in")
          NEAR/5 (ambassador OR ) envoy
`, []string{`c.yaml:11:30: rulesets[0].rules[0].query: missing term after "OR"`}},
		{"query column, literal block", `
rulesets:
  - id: d
    title: D
    rules:
      - id: r
        title: R
        severity: high
        query: |
          summoned
          AND OR envoy
`, []string{`c.yaml:11:15: rulesets[0].rules[0].query: unexpected "OR"`}},
		{"many problems at once", `
sources:
  - id: a
    kind: rss
    url: ftp://x
  - id: a
    kind: carrier-pigeon
    every: 5s
rulesets:
  - id: Bad Id
    title: B
    rules:
      - id: r
        severity: urgent
        query: x
subscriptions:
  - chat: whatsapp:123
    rulesets: [nope]
`, []string{
			`c.yaml:5:10: sources[0].url: rss source needs an http(s) url, not "ftp://x"`,
			`c.yaml:6:9: sources[1].id: id "a" already used at sources[0]`,
			`c.yaml:7:11: sources[1].kind: unknown kind "carrier-pigeon" (want rss, telegram, html or json)`,
			`c.yaml:8:12: sources[1].every: every 5s is too often (at least 30s)`,
			`c.yaml:10:9: rulesets[0].id: id "Bad Id": use lower-case letters, digits, '.', '_' and '-'`,
			`c.yaml:13:9: rulesets[0].rules[0].title: missing title`,
			`c.yaml:14:19: rulesets[0].rules[0].severity: unknown severity "urgent" (want low, medium, high or critical)`,
			`c.yaml:17:11: subscriptions[0].chat: chat "whatsapp:123": want telegram:ID, telegram:ID/THREAD or slack:CHANNEL`,
			`c.yaml:17:5: subscriptions[0].rulesets[0]: no rule set "nope"`,
		}},
		{"new kinds", `
sources:
  - {id: t, kind: telegram, channel: "@MID Russia"}
  - {id: h, kind: html, url: "https://mid.ru/ru/foreign_policy/news/", selectors: {item: "a.announce__link[", title: x}}
  - {id: h2, kind: html, url: "https://mid.ru/", selectors: {item: a}, follow: true}
  - {id: j, kind: json, url: "https://usun.usmission.gov/wp-json/wp/v2/posts", fields: {date: date}}
rulesets: []
`, []string{
			`c.yaml:3:38: sources[0].channel: telegram source needs a public channel's username, not "@MID Russia"`,
			`c.yaml:4:83: sources[1].selectors: selector Item "a.announce__link[": expected identifier, found EOF instead`,
			`c.yaml:5:80: sources[2].selectors.full_text: follow needs the selector of the full text`,
			`c.yaml:6:88: sources[3].fields: json source needs the path of its items' title or text`,
		}},
		{"wrong types", `
sources:
  - id: a
    kind: rss
    url: https://x.org/feed
    every: often
    backfill: [1]
rulesets: {}
`, []string{
			`c.yaml:6:12: sources[0].every: invalid duration "often" (want e.g. 90s, 2m, 1h30m)`,
			`c.yaml:7:15: sources[0].backfill: want a number`,
			`c.yaml:8:11: rulesets: want a list`,
		}},
		{"digests", `
digest_grace: -1h
rulesets:
  - id: d
    title: D
    rules:
      - {id: r, title: R, severity: high, query: x}
subscriptions:
  - chat: telegram:-100
    rulesets: [d]
    digest: {cron: "0 25 * * *", tz: Europe/Moscow, quiet: never}
  - chat: telegram:-100
    rules: [r]
    digest: {cron: "0 0 30 2 *", tz: Mars/Olympus}
  - chat: slack:C1
    rules: [r]
    digest: {cron: "@every 1h", tz: UTC}
`, []string{
			`c.yaml:2:15: digest_grace: invalid duration "-1h" (want e.g. 90s, 2m, 1h30m)`,
			`c.yaml:11:20: subscriptions[0].digest.cron: schedule "0 25 * * *": end of range (25) above maximum (23): 25`,
			`c.yaml:11:60: subscriptions[0].digest.quiet: want say or skip, not "never"`,
			`c.yaml:14:13: subscriptions[1].digest: chat telegram:-100 has a digest already, at subscriptions[0].digest: a chat has one`,
			`c.yaml:14:38: subscriptions[1].digest.tz: unknown time zone "Mars/Olympus" (want an IANA name like Europe/Moscow)`,
			`c.yaml:14:20: subscriptions[1].digest.cron: schedule "0 0 30 2 *": never runs`,
			`c.yaml:17:20: subscriptions[2].digest.cron: want five cron fields, not "@every 1h"`,
		}},
		{"yaml syntax", "rulesets:\n  - id: [\n", []string{`c.yaml:2:1: did not find expected node content`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("c.yaml", []byte(tt.config))
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(err.Error(), "\n")
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestCheckExamplesFails(t *testing.T) {
	c, err := ParseConfig("c.yaml", []byte(`
rulesets:
  - id: d
    title: D
    rules:
      - id: diplomat-summoned
        title: Diplomat summoned
        severity: high
        query: summon* NEAR/3 ambassador
        examples:
          match:
            - "Iraq summoned the US ambassador"
            - "Japan called in the Chinese envoy"
          no_match:
            - {title: "Court summoned the former ambassador's driver"}
`))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := NewLibrary(c)
	if err != nil {
		t.Fatal(err)
	}
	err = lib.CheckExamples(c)
	want := []string{
		`c.yaml:13:15: rulesets[0].rules[0].examples.match[1]: rule diplomat-summoned does not match example "Japan called in the Chinese envoy"`,
		`c.yaml:15:15: rulesets[0].rules[0].examples.no_match[0]: rule diplomat-summoned matches example "Court summoned the former ambassador's driver"`,
	}
	if err == nil {
		t.Fatal("no error")
	}
	if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("errors\n got %q\nwant %q", got, want)
	}
}

var position = regexp.MustCompile(`^c\.yaml:\d+:\d+: `)

// FuzzParseConfig: the loader never panics, and every error it reports has
// a position.
func FuzzParseConfig(f *testing.F) {
	f.Add(validConfig)
	f.Add("rulesets:\n  - id: d\n    rules:\n      - {id: r, query: 'a NEAR/x b'}\n")
	f.Add("sources: [{id: a, kind: rss, url: 'http://x'}]\nrulesets: []\n")
	f.Add("a: &x [*x]\n")
	f.Add("- 1\n- 2\n")
	f.Fuzz(func(t *testing.T, config string) {
		_, err := ParseConfig("c.yaml", []byte(config))
		if err == nil {
			return
		}
		var errs []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		} else {
			errs = []error{err}
		}
		for _, err := range errs {
			var ce *Error
			if !errors.As(err, &ce) && !position.MatchString(err.Error()) {
				t.Errorf("error without a position: %v", err)
			}
		}
	})
}
