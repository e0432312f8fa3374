package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/alertbot/alertbot/rules"
	"github.com/alertbot/alertbot/rules/text"
)

// Library is the compiled rule library of a config.
type Library struct {
	Sets    []*rules.Ruleset
	Matcher *rules.Matcher

	an  *text.Analyzer // shared by the matcher and lookups, for its stem cache
	gaz *rules.Gazetteer
}

// NewLibrary compiles the rule sets of c.
func NewLibrary(c *Config) (*Library, error) {
	sets, err := c.RulesetsOf()
	if err != nil {
		return nil, err
	}
	an := text.NewAnalyzer()
	gaz := rules.NewGazetteer(an)
	m, err := rules.NewMatcher(an, gaz, sets)
	if err != nil {
		return nil, err
	}
	return &Library{Sets: sets, Matcher: m, an: an, gaz: gaz}, nil
}

// Set returns the rule set with id, or nil.
func (l *Library) Set(id string) *rules.Ruleset {
	for _, s := range l.Sets {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Rule returns the rule with id, or nil.
func (l *Library) Rule(id string) *rules.Rule {
	for _, s := range l.Sets {
		for _, r := range s.Rules {
			if r.ID == id {
				return r
			}
		}
	}
	return nil
}

// CheckExamples runs every rule's examples and returns an error for each
// example that does not behave, at its position in the config file.
func (l *Library) CheckExamples(c *Config) error {
	var errs []error
	for i, rs := range c.Rulesets {
		for j, r := range rs.Rules {
			path := fmt.Sprintf("rulesets[%d].rules[%d].examples", i, j)
			check := func(list string, examples []Example, want bool) {
				for k, e := range examples {
					doc := e.document()
					if matches(l.Matcher.Match(&doc), r.ID) == want {
						continue
					}
					verb := "does not match"
					if !want {
						verb = "matches"
					}
					errs = append(errs, &Error{
						File: c.File, Line: e.pos.Line, Col: e.pos.Column,
						Path: fmt.Sprintf("%s.%s[%d]", path, list, k),
						Msg:  fmt.Sprintf("rule %s %s example %q", r.ID, verb, short(e)),
					})
				}
			}
			check("match", r.Examples.Match, true)
			check("no_match", r.Examples.NoMatch, false)
		}
	}
	return errors.Join(errs...)
}

func matches(ms []rules.Match, id string) bool {
	for _, m := range ms {
		if m.Rule.ID == id {
			return true
		}
	}
	return false
}

func short(e Example) string {
	s := strings.TrimSpace(e.Title + " " + e.Text)
	if r := []rune(s); len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return s
}

// Slow returns a warning, at the query's position, for each rule that the
// index cannot narrow down and so runs on every item.
func (l *Library) Slow(c *Config) []error {
	slow := make(map[string]bool)
	for _, r := range l.Matcher.Slow() {
		slow[r.ID] = true
	}
	var out []error
	for i, rs := range c.Rulesets {
		for j, r := range rs.Rules {
			if slow[r.ID] {
				out = append(out, &Error{
					File: c.File, Line: r.Query.node.Line, Col: r.Query.node.Column,
					Path: fmt.Sprintf("rulesets[%d].rules[%d].query", i, j),
					Msg:  fmt.Sprintf("rule %s is slow: no word must occur for it to match, so it runs on every item", r.ID),
				})
			}
		}
	}
	return out
}
