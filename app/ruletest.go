package app

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/alertbot/alertbot/rules"
)

// RuleTests is a rule test file: texts with the rules they must and must
// not raise, in the manner of promtool's rule tests.
//
//	tests:
//	  - name: Iraq summons the US chargé d'affaires
//	    title: Iraq summons US chargé d'affaires over strikes
//	    text: ...
//	    lang: en
//	    raise: [diplomat-summoned]
//	    not_raise: [unsc]          # rule or rule set ids
type RuleTests struct {
	Tests []RuleTest `yaml:"tests"`

	File string `yaml:"-"`
}

type RuleTest struct {
	Name     string   `yaml:"name"`
	Title    string   `yaml:"title"`
	Text     string   `yaml:"text"`
	Lang     string   `yaml:"lang"`
	Source   string   `yaml:"source"`
	Raise    []string `yaml:"raise"`
	NotRaise []string `yaml:"not_raise"`

	pos *yaml.Node
}

func (t *RuleTest) decodeNode(d *decoder, n *yaml.Node, path string) {
	type plain RuleTest
	t.pos = n
	d.decodeStruct(n, reflectValue((*plain)(t)), path)
}

// LoadRuleTests reads a rule test file.
func LoadRuleTests(file string) (*RuleTests, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("app: read rule tests: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlSyntaxError(file, err)
	}
	if len(root.Content) == 0 {
		return nil, &Error{File: file, Line: 1, Col: 1, Msg: "empty test file"}
	}
	ts := &RuleTests{File: file}
	d := &decoder{file: file}
	d.decode(root.Content[0], reflectValue(ts), "")
	for i, t := range ts.Tests {
		if t.Title == "" && t.Text == "" {
			d.errorf(t.pos, fmt.Sprintf("tests[%d]", i), "a test needs a title or a text")
		}
		if len(t.Raise)+len(t.NotRaise) == 0 {
			d.errorf(t.pos, fmt.Sprintf("tests[%d]", i), "a test needs raise or not_raise")
		}
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return ts, nil
}

// Run runs the tests and returns how many passed, and an error for each
// that failed, at its position.
func (l *Library) Run(ts *RuleTests) (passed int, failed []error) {
	for i, t := range ts.Tests {
		doc := rules.Document{ID: fmt.Sprintf("tests[%d]", i), Title: t.Title, Text: t.Text, Lang: t.Lang, Source: t.Source}
		var raised []string
		for _, m := range l.Matcher.Match(&doc) {
			raised = append(raised, m.Rule.ID)
		}
		var problems []string
		for _, id := range t.Raise {
			ids, ok := l.expand(id)
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("no rule or rule set %q", id))
			case !slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(raised, id) }):
				problems = append(problems, fmt.Sprintf("%s not raised", id))
			}
		}
		for _, id := range t.NotRaise {
			ids, ok := l.expand(id)
			if !ok {
				problems = append(problems, fmt.Sprintf("no rule or rule set %q", id))
				continue
			}
			for _, r := range ids {
				if slices.Contains(raised, r) {
					problems = append(problems, fmt.Sprintf("%s raised", r))
				}
			}
		}
		if len(problems) == 0 {
			passed++
			continue
		}
		name := t.Name
		if name == "" {
			name = short(Example{Title: t.Title, Text: t.Text})
		}
		got := strings.Join(raised, ", ")
		if got == "" {
			got = "nothing"
		}
		failed = append(failed, &Error{
			File: ts.File, Line: t.pos.Line, Col: t.pos.Column, Path: fmt.Sprintf("tests[%d]", i),
			Msg: fmt.Sprintf("%s: %s (raised: %s)", name, strings.Join(problems, "; "), got),
		})
	}
	return passed, failed
}

// expand turns a rule id into itself and a rule set id into its rules.
func (l *Library) expand(id string) ([]string, bool) {
	for _, s := range l.Sets {
		if s.ID == id {
			var ids []string
			for _, r := range s.Rules {
				ids = append(ids, r.ID)
			}
			return ids, true
		}
	}
	if l.Rule(id) != nil {
		return []string{id}, true
	}
	return nil, false
}
