package app

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/rules"
	"github.com/alertbot/alertbot/sources/web"
)

// Config is the configuration file (DESIGN.md §4). Secrets never live in
// it: they come from the environment.
type Config struct {
	Storage       string         `yaml:"storage"`
	HTTP          HTTP           `yaml:"http"`
	Telegram      Telegram       `yaml:"telegram"`
	Slack         Slack          `yaml:"slack"`
	Sources       []Source       `yaml:"sources"`
	Rulesets      []Ruleset      `yaml:"rulesets"`
	Subscriptions []Subscription `yaml:"subscriptions"`
	// DigestGrace is how old a digest that fell due while alertbot was
	// down may be and still be sent at start-up; older ones are skipped.
	DigestGrace time.Duration `yaml:"digest_grace"`

	File string `yaml:"-"` // where it was read from, for messages
}

type HTTP struct {
	Listen string `yaml:"listen"`
}

type Telegram struct {
	APIURL string  `yaml:"api_url"`
	Mode   string  `yaml:"mode"` // polling or webhook
	Admins []int64 `yaml:"admins"`
}

type Slack struct {
	APIURL  string   `yaml:"api_url"`
	Mode    string   `yaml:"mode"` // socket or http
	Command string   `yaml:"command"`
	Admins  []string `yaml:"admins"` // user ids allowed to change subscriptions in any channel
}

// Source is one watched feed, channel or page.
type Source struct {
	ID         string        `yaml:"id"`
	Title      string        `yaml:"title"`
	Kind       string        `yaml:"kind"` // rss, telegram, html, json
	URL        string        `yaml:"url"`  // kind telegram: the preview's base, default https://t.me
	Channel    string        `yaml:"channel"`
	Every      time.Duration `yaml:"every"`
	Lang       string        `yaml:"lang"`
	UserAgent  string        `yaml:"user_agent"`
	Backfill   int           `yaml:"backfill"`
	MaxAge     time.Duration `yaml:"max_age"`
	FloodLimit int           `yaml:"flood_limit"`
	Verified   bool          `yaml:"verified"`  // the source was checked to answer as configured
	Selectors  Selectors     `yaml:"selectors"` // kind html
	Follow     bool          `yaml:"follow"`    // kind html: fetch each new item's page for its full text
	Fields     Fields        `yaml:"fields"`    // kind json

	pos *yaml.Node
}

// Selectors are the CSS selectors of an html source: each Item element is
// an item; the others are looked for inside it (FullText in the item's page).
type Selectors struct {
	Item       string `yaml:"item"`
	Title      string `yaml:"title"`
	Link       string `yaml:"link"`
	Date       string `yaml:"date"`
	DateLayout string `yaml:"date_layout"` // Go time layout: "02.01.2006 15:04"
	Text       string `yaml:"text"`
	FullText   string `yaml:"full_text"`
}

// Fields are the dot paths of a json source: Items to the array of items
// ("" for the top level), the others within each item ("title.rendered").
type Fields struct {
	Items string `yaml:"items"`
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	Link  string `yaml:"link"`
	Date  string `yaml:"date"`
	Text  string `yaml:"text"`
}

type Ruleset struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	Rules []Rule `yaml:"rules"`

	pos *yaml.Node
}

type Rule struct {
	ID       string   `yaml:"id"`
	Title    string   `yaml:"title"`
	Severity string   `yaml:"severity"`
	Query    Scalar   `yaml:"query"`
	Lang     []string `yaml:"lang"`   // only items in these languages
	Source   []string `yaml:"source"` // only items from these sources
	Examples Examples `yaml:"examples"`

	pos *yaml.Node
}

type Examples struct {
	Match   []Example `yaml:"match"`
	NoMatch []Example `yaml:"no_match"`
}

// Example is a document a rule must (or must not) match: a string, taken
// as the item's text, or a mapping with title, text, lang and source.
type Example struct {
	Title  string `yaml:"title"`
	Text   string `yaml:"text"`
	Lang   string `yaml:"lang"`
	Source string `yaml:"source"`

	pos *yaml.Node
}

type Subscription struct {
	Chat        string   `yaml:"chat"` // telegram:ID, telegram:ID/THREAD, slack:CHANNEL
	Rulesets    []string `yaml:"rulesets"`
	Rules       []string `yaml:"rules"`
	MinSeverity string   `yaml:"min_severity"`
	DigestOnly  bool     `yaml:"digest_only"` // these alerts only in the chat's digest, not as they come
	Digest      *Digest  `yaml:"digest"`

	pos *yaml.Node
}

// Digest is a chat's digest schedule: a five-field cron line read in an
// IANA time zone.
type Digest struct {
	Cron  string `yaml:"cron"`
	TZ    string `yaml:"tz"`
	Quiet string `yaml:"quiet"` // say (the default): a quiet period sends one line; skip: it sends nothing
}

// Scalar is a string that remembers where it stood in the file, so that an
// error at a column of the string can be reported at its place in the file.
type Scalar struct {
	Value string
	node  *yaml.Node
}

func (s *Scalar) decodeNode(d *decoder, n *yaml.Node, path string) {
	if d.scalar(n, path, "a string") {
		s.Value, s.node = n.Value, n
	}
}

func (e *Example) decodeNode(d *decoder, n *yaml.Node, path string) {
	e.pos = n
	if n.Kind == yaml.ScalarNode {
		e.Text = n.Value
		return
	}
	type plain Example // without the decodeNode method
	d.decodeStruct(n, reflectValue((*plain)(e)), path)
}

// The position-keeping types record their node when decoded as structs.
func (s *Source) decodeNode(d *decoder, n *yaml.Node, path string) {
	type plain Source
	s.pos = n
	d.decodeStruct(n, reflectValue((*plain)(s)), path)
}

func (r *Ruleset) decodeNode(d *decoder, n *yaml.Node, path string) {
	type plain Ruleset
	r.pos = n
	d.decodeStruct(n, reflectValue((*plain)(r)), path)
}

func (r *Rule) decodeNode(d *decoder, n *yaml.Node, path string) {
	type plain Rule
	r.pos = n
	d.decodeStruct(n, reflectValue((*plain)(r)), path)
}

func (s *Subscription) decodeNode(d *decoder, n *yaml.Node, path string) {
	type plain Subscription
	s.pos = n
	d.decodeStruct(n, reflectValue((*plain)(s)), path)
}

// Defaults. Each is used in one place: applyDefaults.
const (
	DefaultStorage     = "sqlite:alertbot.db"
	DefaultListen      = "127.0.0.1:8080"
	DefaultEvery       = 5 * time.Minute
	DefaultMaxAge      = 24 * time.Hour
	DefaultFloodLimit  = 20
	DefaultDigestGrace = 6 * time.Hour
	MinEvery           = 30 * time.Second
)

func (c *Config) applyDefaults() {
	if c.Storage == "" {
		c.Storage = DefaultStorage
	}
	if c.HTTP.Listen == "" {
		c.HTTP.Listen = DefaultListen
	}
	if c.Telegram.APIURL == "" {
		c.Telegram.APIURL = "https://api.telegram.org"
	}
	if c.Telegram.Mode == "" {
		c.Telegram.Mode = "polling"
	}
	if c.Slack.APIURL == "" {
		c.Slack.APIURL = "https://slack.com/api/"
	}
	if c.Slack.Mode == "" {
		c.Slack.Mode = "socket"
	}
	if c.Slack.Command == "" {
		c.Slack.Command = "/alertbot"
	}
	if c.DigestGrace == 0 {
		c.DigestGrace = DefaultDigestGrace
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Every == 0 {
			s.Every = DefaultEvery
		}
		if s.MaxAge == 0 {
			s.MaxAge = DefaultMaxAge
		}
		if s.FloodLimit == 0 {
			s.FloodLimit = DefaultFloodLimit
		}
	}
}

// LoadConfig reads and validates the config file. The error, if any,
// joins every problem found, each an *Error with its position.
func LoadConfig(file string) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("app: read config: %w", err)
	}
	return ParseConfig(file, data)
}

// ParseConfig is LoadConfig on data already read; file names it in errors.
func ParseConfig(file string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlSyntaxError(file, err)
	}
	c := &Config{File: file}
	d := &decoder{file: file}
	if len(root.Content) == 0 {
		return nil, &Error{File: file, Line: 1, Col: 1, Msg: "empty config"}
	}
	d.decode(root.Content[0], reflectValue(c), "")
	c.applyDefaults()
	v := validator{decoder: d, src: data, root: root.Content[0]}
	v.config(c)
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return c, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntaxError puts a YAML syntax error into the FILE:LINE:COL form.
func yamlSyntaxError(file string, err error) error {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("%s:%s:1: %s", file, m[1], m[2])
	}
	return fmt.Errorf("%s:1:1: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
}

type validator struct {
	*decoder
	src  []byte
	root *yaml.Node
}

// at returns the value of key in mapping n, or n itself when key is absent,
// so that an error points at the value that is wrong.
func at(n *yaml.Node, keys ...string) *yaml.Node {
	for _, key := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return n
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				n, found = n.Content[i+1], true
				break
			}
		}
		if !found {
			return n
		}
	}
	return n
}

func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	channelPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)
)

func (v *validator) id(n *yaml.Node, path, id string, seen map[string]string) {
	switch {
	case id == "":
		v.errorf(n, path, "missing id")
	case !idPattern.MatchString(id):
		v.errorf(at(n, "id"), path+".id", "id %q: use lower-case letters, digits, '.', '_' and '-'", id)
	case seen[id] != "":
		v.errorf(at(n, "id"), path+".id", "id %q already used at %s", id, seen[id])
	default:
		seen[id] = path
	}
}

func (v *validator) config(c *Config) {
	if c.Telegram.Mode != "polling" && c.Telegram.Mode != "webhook" {
		v.errorf(at(v.root, "telegram", "mode"), "telegram.mode", "want polling or webhook, not %q", c.Telegram.Mode)
	}
	if c.Slack.Mode != "socket" && c.Slack.Mode != "http" {
		v.errorf(at(v.root, "slack", "mode"), "slack.mode", "want socket or http, not %q", c.Slack.Mode)
	}
	sources := make(map[string]string)
	for i, s := range c.Sources {
		v.source(&s, fmt.Sprintf("sources[%d]", i), sources)
	}
	sets := make(map[string]string)
	ruleIDs := make(map[string]string)
	for i := range c.Rulesets {
		rs := &c.Rulesets[i]
		path := fmt.Sprintf("rulesets[%d]", i)
		v.id(rs.pos, path, rs.ID, sets)
		if len(rs.Rules) == 0 {
			v.errorf(at(rs.pos, "rules"), path+".rules", "rule set %q has no rules", rs.ID)
		}
		for j := range rs.Rules {
			v.rule(&rs.Rules[j], fmt.Sprintf("%s.rules[%d]", path, j), ruleIDs, sources)
		}
	}
	digests := make(map[string]string)
	for i, s := range c.Subscriptions {
		v.subscription(&s, fmt.Sprintf("subscriptions[%d]", i), sets, ruleIDs, digests)
	}
}

func (v *validator) source(s *Source, path string, seen map[string]string) {
	v.id(s.pos, path, s.ID, seen)
	switch s.Kind {
	case "rss", "html", "json":
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.errorf(at(s.pos, "url"), path+".url", "%s source needs an http(s) url, not %q", s.Kind, s.URL)
		}
		switch {
		case s.Kind == "html" && s.Selectors.Item == "":
			v.errorf(at(s.pos, "selectors"), path+".selectors.item", "html source needs the selector of its items")
		case s.Kind == "html":
			sel := s.Selectors
			if err := (web.Selectors{Item: sel.Item, Title: sel.Title, Link: sel.Link, Date: sel.Date, Text: sel.Text, FullText: sel.FullText}).Check(); err != nil {
				v.errorf(at(s.pos, "selectors"), path+".selectors", "%v", err)
			}
			if s.Follow && sel.FullText == "" {
				v.errorf(at(s.pos, "follow"), path+".selectors.full_text", "follow needs the selector of the full text")
			}
		case s.Kind == "json" && s.Fields.Title == "" && s.Fields.Text == "":
			v.errorf(at(s.pos, "fields"), path+".fields", "json source needs the path of its items' title or text")
		}
	case "telegram":
		if u, err := url.Parse(s.URL); s.URL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			v.errorf(at(s.pos, "url"), path+".url", "a telegram source's url is the preview's base (default https://t.me), not %q", s.URL)
		}
		if !channelPattern.MatchString(s.Channel) {
			v.errorf(at(s.pos, "channel"), path+".channel", "telegram source needs a public channel's username, not %q", s.Channel)
		}
	case "":
		v.errorf(at(s.pos, "kind"), path+".kind", "missing kind (rss, telegram, html or json)")
	default:
		v.errorf(at(s.pos, "kind"), path+".kind", "unknown kind %q (want rss, telegram, html or json)", s.Kind)
	}
	if s.Every < MinEvery {
		v.errorf(at(s.pos, "every"), path+".every", "every %s is too often (at least %s)", s.Every, MinEvery)
	}
	if s.Backfill < 0 || s.FloodLimit < 0 {
		v.errorf(s.pos, path, "backfill and flood_limit cannot be negative")
	}
}

func (v *validator) rule(r *Rule, path string, seen, sources map[string]string) {
	v.id(r.pos, path, r.ID, seen)
	if r.Title == "" {
		v.errorf(at(r.pos, "title"), path+".title", "missing title")
	}
	if _, err := rules.ParseSeverity(r.Severity); err != nil {
		v.errorf(at(r.pos, "severity"), path+".severity", "%v", err)
	}
	if r.Query.node == nil {
		v.errorf(at(r.pos, "query"), path+".query", "missing query")
	} else if _, err := rules.Parse(r.Query.Value); err != nil {
		v.queryError(r.Query, path+".query", err)
	}
	for i, s := range r.Source {
		if !strings.HasSuffix(s, "*") && sources[s] == "" {
			v.errorf(r.pos, fmt.Sprintf("%s.source[%d]", path, i), "no source %q", s)
		}
	}
}

func (v *validator) subscription(s *Subscription, path string, sets, ruleIDs, digests map[string]string) {
	if err := checkChat(s.Chat); err != nil {
		v.errorf(at(s.pos, "chat"), path+".chat", "%v", err)
	}
	for i, id := range s.Rulesets {
		if sets[id] == "" {
			v.errorf(s.pos, fmt.Sprintf("%s.rulesets[%d]", path, i), "no rule set %q", id)
		}
	}
	for i, id := range s.Rules {
		if ruleIDs[id] == "" {
			v.errorf(s.pos, fmt.Sprintf("%s.rules[%d]", path, i), "no rule %q", id)
		}
	}
	if len(s.Rulesets)+len(s.Rules) == 0 {
		v.errorf(s.pos, path, "subscribes to nothing: give rulesets or rules")
	}
	if s.MinSeverity != "" {
		if _, err := rules.ParseSeverity(s.MinSeverity); err != nil {
			v.errorf(at(s.pos, "min_severity"), path+".min_severity", "%v", err)
		}
	}
	if s.Digest == nil {
		return
	}
	if other := digests[s.Chat]; other != "" {
		v.errorf(at(s.pos, "digest"), path+".digest", "chat %s has a digest already, at %s: a chat has one", s.Chat, other)
	}
	digests[s.Chat] = path + ".digest"
	tz, err := bot.LoadZone(s.Digest.TZ)
	if err != nil {
		v.errorf(at(s.pos, "digest", "tz"), path+".digest.tz", "unknown time zone %q (want an IANA name like Europe/Moscow)", s.Digest.TZ)
	}
	if len(strings.Fields(s.Digest.Cron)) != 5 {
		v.errorf(at(s.pos, "digest", "cron"), path+".digest.cron", "want five cron fields, not %q", s.Digest.Cron)
	} else if _, err := bot.ParseSchedule(s.Digest.Cron, cmp.Or(tz, time.UTC)); err != nil {
		v.errorf(at(s.pos, "digest", "cron"), path+".digest.cron", "%s", strings.TrimPrefix(err.Error(), "bot: "))
	}
	if q := s.Digest.Quiet; q != "" && q != "say" && q != "skip" {
		v.errorf(at(s.pos, "digest", "quiet"), path+".digest.quiet", "want say or skip, not %q", q)
	}
}

var chatPattern = regexp.MustCompile(`^(telegram:-?[0-9]+(/[0-9]+)?|slack:[A-Z0-9]+)$`)

func checkChat(chat string) error {
	if !chatPattern.MatchString(chat) {
		return fmt.Errorf("chat %q: want telegram:ID, telegram:ID/THREAD or slack:CHANNEL", chat)
	}
	return nil
}

// queryError reports a query syntax error at its place in the file.
func (v *validator) queryError(q Scalar, path string, err error) {
	var se *rules.SyntaxError
	if !errors.As(err, &se) {
		v.errorf(q.node, path, "%v", err)
		return
	}
	line, col := scalarPosition(v.src, q.node, se.Offset)
	v.errs = append(v.errs, &Error{File: v.file, Line: line, Col: col, Path: path, Msg: se.Msg})
}

// scalarPosition maps a byte offset in a scalar's value to its line and
// column in the file. Quoted and plain scalars on one line map directly
// (a doubled quote in a single-quoted scalar counts twice); block scalars
// (| and >) map line by line.
func scalarPosition(src []byte, n *yaml.Node, off int) (line, col int) {
	value := n.Value
	off = min(off, len(value))
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		lines := bytes.Split(src, []byte("\n"))
		// The content starts on the line after the indicator.
		row := strings.Count(value[:off], "\n")
		if n.Style == yaml.FoldedStyle {
			row = 0
			for i := n.Line; i < len(lines); i++ {
				content := bytes.TrimLeft(lines[i], " ")
				if len(content)+1 > off {
					break
				}
				off -= len(content) + 1
				row++
			}
		} else {
			off -= strings.LastIndex(value[:off], "\n") + 1
		}
		l := n.Line + row // n.Line is 1-based: lines[n.Line] is the next line
		if l >= len(lines) {
			return n.Line, n.Column
		}
		indent := len(lines[l]) - len(bytes.TrimLeft(lines[l], " "))
		rest := lines[l][indent:]
		return l + 1, indent + 1 + utf8.RuneCount(rest[:min(off, len(rest))])
	case yaml.SingleQuotedStyle:
		return n.Line, n.Column + 1 + utf8.RuneCountInString(value[:off]) + strings.Count(value[:off], "'")
	case yaml.DoubleQuotedStyle:
		return n.Line, n.Column + 1 + utf8.RuneCountInString(value[:off]) + strings.Count(value[:off], `"`)
	}
	return n.Line, n.Column + utf8.RuneCountInString(value[:off])
}

// RulesetsOf builds the rule sets of c. The config was validated, so
// queries parse.
func (c *Config) RulesetsOf() ([]*rules.Ruleset, error) {
	var sets []*rules.Ruleset
	for _, rs := range c.Rulesets {
		set := &rules.Ruleset{ID: rs.ID, Title: rs.Title}
		for _, r := range rs.Rules {
			expr, err := rules.Parse(r.Query.Value)
			if err != nil {
				return nil, fmt.Errorf("app: rule %s: %w", r.ID, err)
			}
			sev, _ := rules.ParseSeverity(r.Severity)
			rule := &rules.Rule{
				ID: r.ID, Ruleset: rs.ID, Title: r.Title, Severity: sev,
				Query: r.Query.Value, Expr: expr, Langs: r.Lang, Sources: r.Source,
			}
			for _, e := range r.Examples.Match {
				rule.Examples.Match = append(rule.Examples.Match, e.document())
			}
			for _, e := range r.Examples.NoMatch {
				rule.Examples.NoMatch = append(rule.Examples.NoMatch, e.document())
			}
			set.Rules = append(set.Rules, rule)
		}
		sets = append(sets, set)
	}
	return sets, nil
}

func (e Example) document() rules.Document {
	return rules.Document{ID: "example", Title: e.Title, Text: e.Text, Lang: e.Lang, Source: e.Source}
}
