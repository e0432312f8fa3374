package rules_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/alertbot/alertbot/rules"
)

func term(w string) *rules.Term { return &rules.Term{Word: w} }

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		e    rules.Expr
		want string
	}{
		{"keyword", term("AND"), `\AND`},
		{"near keyword", term("NEAR/5"), `\NEAR/5`},
		{"lower-case near keyword", term("near/s"), `\near/s`},
		{"leading minus", term("-5"), `\-5`},
		{"leading equals", &rules.Term{Kind: rules.Exact, Word: "=x"}, `=\=x`},
		{"leading slash", term("/x/"), `\/x/`},
		{"leading bang", term("!x"), `\!x`},
		{"leading quote", term("«x"), `\«x`},
		{"specials", term(`a b(c)d"e:f\g*h~i?j`), `a\ b\(c\)d\"e\:f\\g\*h\~i\?j`},
		{"inner minus and slash", term("US-led/x"), `US-led/x`},
		{"prefix with star", &rules.Term{Kind: rules.Prefix, Word: "ab*c"}, `ab\*c*`},
		{"field", &rules.Term{Field: rules.TextField, Kind: rules.Prefix, Word: "запрос"}, `text:запрос*`},
		{"phrase", &rules.Phrase{Field: rules.TitleField, Words: []string{"say", `"hi\"`, "*"}, Slop: 2}, `title:"say \"hi\\\" \*"~2`},
		{"regex slash", &rules.Regex{Source: `a/b\/c\d`}, `/a\/b\/c\d/`},
		{"regex trailing backslash", &rules.Regex{Field: rules.TitleField, Source: `a\`}, `title:/a\\/`},
		{"meta source prefix", &rules.Meta{Key: rules.SourceKey, Value: "tass*"}, `source:tass*`},
		{"meta lang", &rules.Meta{Key: rules.LangKey, Value: "ru"}, `lang:ru`},
		{"meta source minus", &rules.Meta{Key: rules.SourceKey, Value: "-x"}, `source:\-x`},
		{"not near", &rules.Not{X: &rules.Near{X: term("a"), Y: term("b"), Dist: 3}}, `NOT a NEAR/3 b`},
		{"not and", &rules.Not{X: &rules.And{X: []rules.Expr{term("a"), term("b")}}}, `NOT (a AND b)`},
		{"not not", &rules.Not{X: &rules.Not{X: term("a")}}, `NOT NOT a`},
		{"near chain", &rules.Near{
			X:    &rules.Near{X: term("a"), Y: term("b"), Dist: 1},
			Y:    &rules.Near{X: term("c"), Y: term("d"), Sentence: true},
			Dist: 2,
		}, `a NEAR/1 b NEAR/2 (c NEAR/s d)`},
		{"near or", &rules.Near{X: &rules.Or{X: []rules.Expr{term("a"), term("b")}}, Y: term("c"), Dist: 5}, `(a OR b) NEAR/5 c`},
		{"and of or and not", &rules.And{X: []rules.Expr{
			&rules.Or{X: []rules.Expr{term("a"), term("b")}},
			&rules.Not{X: &rules.And{X: []rules.Expr{term("c"), term("d")}}},
		}}, `(a OR b) AND NOT (c AND d)`},
		{"or of and and or", &rules.Or{X: []rules.Expr{
			&rules.And{X: []rules.Expr{term("a"), term("b")}},
			&rules.Or{X: []rules.Expr{term("c"), term("d")}},
		}}, `a AND b OR (c OR d)`},
		{"nil", nil, ``},
		{"nil term", (*rules.Term)(nil), ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rules.Format(tc.e); got != tc.want {
				t.Errorf("Format(%s) = %q, want %q", dump(tc.e), got, tc.want)
			}
		})
	}
}

// TestFormatRoundTrip checks that words with every kind of special
// character come back from Parse as they were.
func TestFormatRoundTrip(t *testing.T) {
	words := []string{
		"AND", "OR", "NOT", "NEAR", "NEAR/5", "near/s", "-5", "=x", "/x/", "!x", `"x`, "“x", "„x", "«x",
		"a b", "a(b", "a)b", `a"b`, "a:b", `a\b`, `a\`, "a*b", "a*", "a~b", "a?b", "a&&b", "10:00",
		"d'affaires", "U.S.", "US-led", "поверенный", "chargé",
	}
	for _, w := range words {
		for _, kind := range []rules.TermKind{rules.Stemmed, rules.Exact, rules.Prefix} {
			e := &rules.Term{Field: rules.TitleField, Kind: kind, Word: w}
			if kind == rules.Prefix {
				e.Word += "xyz" // at least MinPrefixRunes letters
			}
			s := rules.Format(e)
			got, err := rules.Parse(s)
			if err != nil {
				t.Errorf("Parse(Format(%s)) = Parse(%q): %v", dump(e), s, err)
				continue
			}
			if dump(got) != dump(e) {
				t.Errorf("Parse(%q) = %s, want %s", s, dump(got), dump(e))
			}
		}
	}
	re := regexp.MustCompile("(?i)x")
	for _, e := range []rules.Expr{
		&rules.Phrase{Words: []string{`"hi"`, `a\b`, "c*", "(d)", "e:f", "AND"}, Slop: 1},
		&rules.Regex{Source: `a\/b[\/]\\`, Re: re},
		&rules.Meta{Key: rules.SourceKey, Value: "-a.b_c*"},
	} {
		s := rules.Format(e)
		got, err := rules.Parse(s)
		if err != nil {
			t.Errorf("Parse(Format(%s)) = Parse(%q): %v", dump(e), s, err)
			continue
		}
		if dump(got) != dump(e) {
			t.Errorf("Parse(%q) = %s, want %s", s, dump(got), dump(e))
		}
	}
}

func ExampleFormat() {
	e, err := rules.Parse(`title:("security council" OR совбез) request* -"draft resolution"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rules.Format(e))
	// Output: (title:"security council" OR title:совбез) AND request* AND NOT "draft resolution"
}

func ExampleParse() {
	_, err := rules.Parse(`посол AND (вызвал* OR вызов*`)
	fmt.Println(err)
	// Output: column 11: unmatched "("
}
