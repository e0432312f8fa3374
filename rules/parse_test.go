package rules_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alertbot/alertbot/rules"
)

// validQueries are queries and their canonical forms.
var validQueries = []struct {
	name, query, want string
}{
	{"juxtaposition and minus", `summon* ambassador -court`, `summon* AND ambassador AND NOT court`},
	{"or", `a OR b`, `a OR b`},
	{"and binds tighter than or", `a b OR c`, `a AND b OR c`},
	{"or inside and", `a (b OR c)`, `a AND (b OR c)`},
	{"or flattened", `(a OR b) OR (c OR d)`, `a OR b OR c OR d`},
	{"and flattened", `a AND (b AND c) d`, `a AND b AND c AND d`},
	{"group of one", `((a))`, `a`},
	{"and of ors", `a OR (b OR c) d`, `a OR (b OR c) AND d`},
	{"and inside or", `a AND b OR c AND d`, `a AND b OR c AND d`},
	{"near binds tighter than or", `a NEAR/5 b OR c`, `a NEAR/5 b OR c`},
	{"not of near", `NOT a NEAR/3 b`, `NOT a NEAR/3 b`},
	{"not of and", `NOT (a b)`, `NOT (a AND b)`},
	{"minus group", `-(a OR b)`, `NOT (a OR b)`},
	{"minus phrase", `a -"b c"`, `a AND NOT "b c"`},
	{"not not", `NOT NOT a`, `NOT NOT a`},
	{"not minus", `NOT -a`, `NOT NOT a`},
	{"juxtaposed not", `a NOT b`, `a AND NOT b`},
	{"or not", `a OR NOT b`, `a OR NOT b`},
	{"lower-case operators are words", `and or not`, `and AND or AND not`},
	{"hyphen inside a word", `a-b US-led`, `a-b AND US-led`},
	{"punctuation inside words", `d'affaires U.S. AT&T C++ 24/7`, `d'affaires AND U.S. AND AT&T AND C++ AND 24/7`},
	{"accents and cyrillic", `chargé поверенный`, `chargé AND поверенный`},
	{"exact", `=US`, `=US`},
	{"exact keyword", `=AND`, `=\AND`},
	{"prefix", `запрос*`, `запрос*`},
	{"prefix with punctuation", `US-led* d'af* abc-*`, `US-led* AND d'af* AND abc-*`},
	{"escaped star is a letter", `abc\*`, `abc\*`},
	{"escaped colon", `10\:00`, `10\:00`},
	{"escaped space", `a\ b`, `a\ b`},
	{"escaped keyword", `\AND \-5`, `\AND AND \-5`},
	{"near-looking word", `near/far`, `\near/far`},
	{"no-break space separates", "a\u00a0b\tc\nd", `a AND b AND c AND d`},
	{"phrase", `"security council"`, `"security council"`},
	{"phrase spaces", `"  security   council "~3`, `"security council"~3`},
	{"phrase slop zero", `"a b"~0`, `"a b"`},
	{"phrase slop max", `"a b"~100`, `"a b"~100`},
	{"phrase of one word", `"summoned"`, `summoned`},
	{"phrase of one word with slop", `"summoned"~2`, `summoned`},
	{"phrase of one keyword", `"AND"`, `\AND`},
	{"phrase of one word with colon", `"10:00"`, `10\:00`},
	{"phrase with escaped quote", `"say \"hi\" now"`, `"say \"hi\" now"`},
	{"phrase with escaped star", `"a\* b"`, `"a\* b"`},
	{"phrase with parentheses", `"a (b) c"`, `"a (b) c"`},
	{"phrase with operators", `"war AND peace"`, `"war AND peace"`},
	{"typographic quotes", `“security council”`, `"security council"`},
	{"guillemets", `«совет безопасности»~1`, `"совет безопасности"~1`},
	{"german quotes", `„a b“`, `"a b"`},
	{"regex", `/\d+ (killed|dead)/`, `/\d+ (killed|dead)/`},
	{"regex with escaped slash", `/a\/b/`, `/a\/b/`},
	{"regex in field", `text:/протест\pL*/`, `text:/протест\pL*/`},
	{"field", `title:summoned`, `title:summoned`},
	{"field name case", `Title:summoned`, `title:summoned`},
	{"space after field", `title: summoned`, `title:summoned`},
	{"field on group", `title:(a OR "b c")`, `title:a OR title:"b c"`},
	{"field on and group", `title:(a b) c`, `title:a AND title:b AND c`},
	{"field exact", `title:=US`, `title:=US`},
	{"field prefix", `text:request*`, `text:request*`},
	{"same field nested", `title:(a title:b)`, `title:a AND title:b`},
	{"meta under text field", `title:(a lang:ru)`, `title:a AND lang:ru`},
	{"near", `(summoned OR "called in") NEAR/5 (ambassador OR посла)`, `(summoned OR "called in") NEAR/5 (ambassador OR посла)`},
	{"near sentence", `a NEAR/s b`, `a NEAR/s b`},
	{"near sentence upper", `a NEAR/S b`, `a NEAR/s b`},
	{"near leading zero", `a NEAR/05 b`, `a NEAR/5 b`},
	{"near chain", `a NEAR/2 b NEAR/3 c`, `a NEAR/2 b NEAR/3 c`},
	{"near right group", `a NEAR/2 (b NEAR/3 c)`, `a NEAR/2 (b NEAR/3 c)`},
	{"near in or operand", `(a NEAR/2 b OR c) NEAR/9 d`, `(a NEAR/2 b OR c) NEAR/9 d`},
	{"near and", `(a OR b) NEAR/5 c AND d`, `(a OR b) NEAR/5 c AND d`},
	{"near in field", `title:(("security council" OR совбез) NEAR/5 (request* OR запрос*))`,
		`(title:"security council" OR title:совбез) NEAR/5 (title:request* OR title:запрос*)`},
	{"near in same fields", `title:a NEAR/5 title:"b c"~1`, `title:a NEAR/5 title:"b c"~1`},
	{"near of exact and prefix", `=US NEAR/3 strike*`, `=US NEAR/3 strike*`},
	{"lang", `lang:RU`, `lang:ru`},
	{"lang region", `lang:en-US`, `lang:en-us`},
	{"lang group", `lang:(ru OR uk)`, `lang:ru OR lang:uk`},
	{"lang nested group", `summoned lang:(ru OR (uk OR be))`, `summoned AND (lang:ru OR lang:uk OR lang:be)`},
	{"lang group of one", `lang:(ru)`, `lang:ru`},
	{"country", `country:iq`, `country:IQ`},
	{"source prefix", `source:TASS*`, `source:tass*`},
	{"source short prefix", `source:t*`, `source:t*`},
	{"not source", `-source:tass`, `NOT source:tass`},
	{"not meta group", `NOT lang:(ru OR uk)`, `NOT (lang:ru OR lang:uk)`},
	{"unsc en", `("security council" OR UNSC OR "SC") NEAR/10 (meeting OR session) NEAR/s (request* OR call* OR urgent)`,
		`("security council" OR UNSC OR SC) NEAR/10 (meeting OR session) NEAR/s (request* OR call* OR urgent)`},
	{"unsc ru", `("совет безопасности" OR совбез* OR СБ) NEAR/10 (заседани* OR засед*) (запрос* OR созыв* OR потребова*) lang:ru`,
		`("совет безопасности" OR совбез* OR СБ) NEAR/10 (заседани* OR засед*) AND (запрос* OR созыв* OR потребова*) AND lang:ru`},
	{"summoned ru", `(вызвал* OR вызов* OR "вызван в") NEAR/5 (посл* OR поверенн* OR посла)`, `(вызвал* OR вызов* OR "вызван в") NEAR/5 (посл* OR поверенн* OR посла)`},
	{"protest note", `("note of protest" OR "protest note"~1 OR "нота протеста" OR "ноту протеста") -text:/\bdraft\b/`,
		`("note of protest" OR "protest note"~1 OR "нота протеста" OR "ноту протеста") AND NOT text:/\bdraft\b/`},
}

func TestParseFormat(t *testing.T) {
	for _, tc := range validQueries {
		t.Run(tc.name, func(t *testing.T) {
			e, err := rules.Parse(tc.query)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.query, err)
			}
			if got := rules.Format(e); got != tc.want {
				t.Errorf("Format(Parse(%q)) = %q, want %q", tc.query, got, tc.want)
			}
			e2, err := rules.Parse(rules.Format(e))
			if err != nil {
				t.Fatalf("Parse(%q): %v", rules.Format(e), err)
			}
			if got, want := dump(e2), dump(e); got != want {
				t.Errorf("Parse(Format(e)) = %s, want %s", got, want)
			}
		})
	}
}

// TestParseTree checks the trees behind some canonical forms.
func TestParseTree(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"term kinds", `summon =US request*`, `And[Term(any,stemmed,"summon") Term(any,exact,"US") Term(any,prefix,"request")]`},
		{"phrase", `title:"a  b"~2`, `Phrase(title,["a" "b"],2)`},
		{"one-word phrase is a stemmed term", `text:"summoned"`, `Term(text,stemmed,"summoned")`},
		{"escapes removed", `10\:00 \AND`, `And[Term(any,stemmed,"10:00") Term(any,stemmed,"AND")]`},
		{"field through groups", `title:(a OR ("b c" /x/))`, `Or[Term(title,stemmed,"a") And[Phrase(title,["b" "c"],0) Regex(title,"x")]]`},
		{"regex source as written", `/a\/b\d/`, `Regex(any,"a\\/b\\d")`},
		{"metas", `lang:(EN OR pt-br) country:us source:RIA*`, `And[Or[Meta(lang,"en") Meta(lang,"pt-br")] Meta(country,"US") Meta(source,"ria*")]`},
		{"near", `a NEAR/5 b NEAR/s "c d"`, `Near/s(Near/5(Term(any,stemmed,"a"),Term(any,stemmed,"b")),Phrase(any,["c" "d"],0))`},
		{"not", `-a NOT b`, `And[Not(Term(any,stemmed,"a")) Not(Term(any,stemmed,"b"))]`},
		{"minus inside word", `US-led`, `Term(any,stemmed,"US-led")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := rules.Parse(tc.query)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.query, err)
			}
			if got := dump(e); got != tc.want {
				t.Errorf("Parse(%q) = %s, want %s", tc.query, got, tc.want)
			}
		})
	}
}

func TestParseRegexCaseInsensitive(t *testing.T) {
	e, err := rules.Parse(`/Protest/`)
	if err != nil {
		t.Fatal(err)
	}
	re := e.(*rules.Regex).Re
	if !re.MatchString("a note of PROTEST") {
		t.Errorf("regex %v does not ignore case", re)
	}
}

var invalidQueries = []struct {
	name, query, msg string
	col              int
}{
	{"empty", ``, `empty query`, 1},
	{"doc: dangling and", `summoned AND`, `missing term after "AND"`, 10},
	{"doc: unmatched open", `(summoned OR called in`, `unmatched "("`, 1},
	{"doc: unknown field", `titel:summoned`, `unknown field "titel"`, 1},
	{"doc: unterminated phrase", `посол "вызван в`, `unterminated phrase`, 7},
	{"blank", " \t ", `empty query`, 1},
	{"unmatched close", `посол )`, `unmatched ")"`, 7},
	{"unmatched close after group", `(a) b)`, `unmatched ")"`, 6},
	{"unmatched open", `посол OR (посла`, `unmatched "("`, 10},
	{"unmatched open inner", `((a) OR b`, `unmatched "("`, 1},
	{"unmatched open at end", `посол AND (`, `unmatched "("`, 11},
	{"lone open", `(`, `unmatched "("`, 1},
	{"lone close", `)`, `unmatched ")"`, 1},
	{"empty parentheses", `a ()`, `empty parentheses`, 3},
	{"unterminated phrase", `посол "abc`, `unterminated phrase`, 7},
	{"unterminated phrase escape", `"abc\`, `unterminated phrase`, 1},
	{"unterminated guillemets", `«abc"`, `unterminated phrase`, 1},
	{"unterminated regex", `посол /abc`, `unterminated regex`, 7},
	{"dangling and", `посол AND`, `missing term after "AND"`, 7},
	{"and before paren", `(a AND) b`, `missing term after "AND"`, 4},
	{"leading or", `OR b`, `unexpected "OR"`, 1},
	{"double operator", `a AND OR b`, `unexpected "OR"`, 7},
	{"dangling or", `a OR`, `missing term after "OR"`, 3},
	{"lone not", `NOT`, `missing term after "NOT"`, 1},
	{"lone minus", `-`, `missing term after "-"`, 1},
	{"minus before paren", `(a -)`, `missing term after "-"`, 4},
	{"space after minus", `a - b`, `no space allowed after "-"`, 3},
	{"double minus", `--a`, `unexpected "-"`, 2},
	{"lone star", `*`, `missing word before "*"`, 1},
	{"lone equals", `=`, `missing word after "="`, 1},
	{"equals space", `= a`, `missing word after "="`, 1},
	{"equals phrase", `="a b"`, `missing word after "="`, 1},
	{"star inside", `посол a*b`, `wildcard only at the end of a word`, 8},
	{"leading star", `*ab`, `wildcard only at the end of a word`, 1},
	{"double star", `abc**`, `wildcard only at the end of a word`, 4},
	{"short prefix", `посол по*`, `prefix "по*" too short (at least 3 letters)`, 7},
	{"short prefix latin", `ab*`, `prefix "ab*" too short (at least 3 letters)`, 1},
	{"short last word of prefix", `US-le*`, `prefix "US-le*" too short (at least 3 letters)`, 1},
	{"exact prefix", `=abc*`, `"=" and "*" cannot be combined`, 1},
	{"no letters", `a ...`, `"..." is not a word (no letter or digit)`, 3},
	{"ampersands", `a && b`, `use AND instead of "&&"`, 3},
	{"bars", `a || b`, `use OR instead of "||"`, 3},
	{"bang", `a !b`, `use NOT or - instead of "!"`, 3},
	{"fuzzy", `roam~2`, `"~" only follows a phrase, as in "a b"~3`, 5},
	{"slop after space", `"a b" ~2`, `"~" only follows a phrase, as in "a b"~3`, 7},
	{"question mark", `wom?n`, `"?" wildcard is not supported`, 4},
	{"trailing backslash", `посол\`, `"\" at the end of the query escapes nothing`, 6},
	{"unknown field", `посол foo:bar`, `unknown field "foo"`, 7},
	{"time needs escape", `посол 10:00`, `unknown field "10"`, 7},
	{"operator as field", `AND:x`, `unknown field "AND"`, 1},
	{"stray colon", `(a):b`, `unexpected ":"`, 4},
	{"space before colon", `title :b`, `unexpected ":"`, 7},
	{"colon after phrase", `"a b":c`, `unexpected ":" after phrase`, 6},
	{"word after phrase", `"a b"c`, `unexpected "c" after phrase`, 6},
	{"conflicting fields", `title:(a text:b)`, `conflicting fields: text: inside title:`, 10},
	{"conflicting fields direct", `text:title:a`, `conflicting fields: title: inside text:`, 6},
	{"dangling field", `посол title:`, `missing term after "title:"`, 7},
	{"field before paren", `(title:) a`, `missing term after "title:"`, 2},
	{"field not", `title:NOT a`, `unexpected "NOT"`, 7},
	{"field minus", `title:-a`, `unexpected "-"`, 7},
	{"near without distance", `a NEAR b`, `NEAR needs a distance: NEAR/5 or NEAR/s`, 3},
	{"near empty distance", `a NEAR/ b`, `NEAR needs a distance: NEAR/5 or NEAR/s`, 3},
	{"near bad argument", `посол NEAR/x b`, `bad NEAR argument "x" (want NEAR/5 or NEAR/s)`, 7},
	{"near negative", `a NEAR/-5 b`, `bad NEAR argument "-5" (want NEAR/5 or NEAR/s)`, 3},
	{"near too far", `a NEAR/101 b`, `distance 101 too large (limit 100)`, 8},
	{"near huge", `a NEAR/99999999999999999999 b`, `distance 99999999999999999999 too large (limit 100)`, 8},
	{"near zero", `a NEAR/0 b`, `distance 0 too small (at least 1)`, 8},
	{"near lower case", `a near/5 b`, `NEAR must be written in upper case`, 3},
	{"near lower case s", `a Near/s b`, `NEAR must be written in upper case`, 3},
	{"dangling near", `a NEAR/5`, `missing term after "NEAR/5"`, 3},
	{"leading near", `NEAR/5 a`, `unexpected "NEAR/5"`, 1},
	{"near and operand", `a NEAR/5 (b AND c)`, `NEAR operand must be a word, phrase or OR of them`, 10},
	{"near and left operand", `(a b) NEAR/5 c`, `NEAR operand must be a word, phrase or OR of them`, 1},
	{"near not operand", `a NEAR/5 NOT b`, `NEAR operand must be a word, phrase or OR of them`, 10},
	{"near minus operand", `a NEAR/5 -b`, `NEAR operand must be a word, phrase or OR of them`, 10},
	{"minus near", `-a NEAR/5 b`, `NEAR operand must be a word, phrase or OR of them`, 1},
	{"near regex operand", `посол NEAR/5 /re/`, `NEAR operand must be a word, phrase or OR of them`, 14},
	{"near meta operand", `a NEAR/5 lang:ru`, `NEAR operand must be a word, phrase or OR of them`, 10},
	{"near or with regex", `(a OR /b/) NEAR/5 c`, `NEAR operand must be a word, phrase or OR of them`, 1},
	{"near different fields", `title:a NEAR/5 b`, `NEAR operands must be in the same field (title: and no field)`, 9},
	{"near different fields group", `title:("security council" OR совбез) NEAR/5 (request* OR запрос*)`,
		`NEAR operands must be in the same field (title: and no field)`, 38},
	{"near operand mixes fields", `a NEAR/5 (title:b OR text:c)`, `NEAR operand mixes fields (title: and text:)`, 10},
	{"phrase slop too large", `посол "a b"~101`, `slop 101 too large (limit 100)`, 13},
	{"phrase slop missing", `"a b"~`, `expected a number after "~"`, 6},
	{"phrase slop not a number", `"a b"~x`, `expected a number after "~"`, 6},
	{"empty phrase", `a ""`, `empty phrase`, 3},
	{"blank phrase", `"   "`, `empty phrase`, 1},
	{"phrase of punctuation", `"- -"`, `phrase has no letter or digit`, 1},
	{"star in phrase", `"поверенн* в делах"`, `wildcard not allowed in a phrase`, 10},
	{"too many phrase words", `"` + strings.Repeat("w ", 33) + `"`, `phrase has 33 words (limit 32)`, 1},
	{"regex flags", `/a/i`, `unexpected "i" after regex`, 4},
	{"empty regex", `a //`, `empty regex`, 3},
	{"invalid regex", `посол /(a/`, "invalid regex: missing closing ): `(a`", 7},
	{"regex matches empty", `/a*/`, `regex matches empty text`, 1},
	{"regex too long", `/` + strings.Repeat("x", 513) + `/`, `regex too long: 513 bytes (limit 512)`, 1},
	{"regex too large", `/\pL{1,1000}\pL{1,1000}/`, `regex too large: 4000 instructions (limit 2000)`, 1},
	{"lang phrase", `lang:"ru"`, `lang: takes a language code, or several joined by OR in parentheses`, 6},
	{"lang not", `lang:NOT ru`, `lang: takes a language code, or several joined by OR in parentheses`, 6},
	{"lang exact", `lang:=ru`, `lang: takes a language code, or several joined by OR in parentheses`, 6},
	{"lang and group", `lang:(ru uk)`, `values in lang:(…) must be joined by OR`, 10},
	{"lang and group operator", `lang:(ru AND uk)`, `values in lang:(…) must be joined by OR`, 10},
	{"lang group field", `lang:(ru OR title:x)`, `lang: takes a language code, or several joined by OR in parentheses`, 13},
	{"lang group unmatched", `lang:(ru OR uk`, `unmatched "("`, 6},
	{"lang group dangling or", `lang:(ru OR)`, `missing term after "OR"`, 10},
	{"lang empty group", `lang:()`, `empty parentheses`, 6},
	{"lang invalid", `lang:russian`, `invalid language code "russian" (like en or pt-BR)`, 6},
	{"lang prefix", `lang:ru*`, `invalid language code "ru*" (like en or pt-BR)`, 6},
	{"country invalid", `посол country:USA`, `invalid country code "USA" (two letters, like US)`, 15},
	{"country cyrillic", `country:ИК`, `invalid country code "ИК" (two letters, like US)`, 9},
	{"source invalid", `source:tass,ria`, `invalid source id "tass,ria"`, 8},
	{"source inner star", `source:ta*ss`, `wildcard only at the end of a word`, 10},
	{"dangling meta", `lang:`, `missing term after "lang:"`, 1},
	{"nested parentheses", strings.Repeat("(", 21) + "a" + strings.Repeat(")", 21), `nesting deeper than 20`, 21},
	{"nested nots", strings.Repeat("NOT ", 21) + "a", `nesting deeper than 20`, 81},
	{"nested fields", strings.Repeat("-(", 10) + "title:a" + strings.Repeat(")", 10), `nesting deeper than 20`, 21},
	{"too many terms", strings.Repeat("w ", 430), `query has 430 terms (limit 400)`, 801},
	{"too many metas", "a " + strings.Repeat("lang:(en OR ru) ", 200), `query has 401 terms (limit 400)`, 3199},
	{"too long", strings.Repeat("a ", 4097), `query too long: 8194 bytes (limit 8192)`, 8193},
	{"too long cyrillic", strings.Repeat("я", 4097), `query too long: 8194 bytes (limit 8192)`, 4097},
	{"invalid utf-8", "посол \xff", `invalid UTF-8`, 7},
	{"control character", "a\x00b", `invalid character U+0000`, 2},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range invalidQueries {
		t.Run(tc.name, func(t *testing.T) {
			e, err := rules.Parse(tc.query)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want error %q", tc.query, rules.Format(e), tc.msg)
			}
			var se *rules.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", tc.query, err)
			}
			if se.Msg != tc.msg || se.Col != tc.col {
				t.Errorf("Parse(%q) error = column %d: %s, want column %d: %s", tc.query, se.Col, se.Msg, tc.col, tc.msg)
			}
			if want := utf8.RuneCountInString(tc.query[:se.Offset]) + 1; se.Col != want {
				t.Errorf("Parse(%q): Col %d does not match Offset %d", tc.query, se.Col, se.Offset)
			}
		})
	}
}

func TestParseErrorString(t *testing.T) {
	_, err := rules.Parse(`summoned AND (a OR b))`)
	if got, want := fmt.Sprint(err), `column 22: unmatched ")"`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestParseLimitsAccepted(t *testing.T) {
	tests := []struct{ name, query string }{
		{"max nesting", strings.Repeat("(", 20) + "a" + strings.Repeat(")", 20)},
		{"max terms", strings.Repeat("w ", 200)},
		{"max phrase", `"` + strings.Repeat("w ", 32) + `"`},
		{"max regex", `/` + strings.Repeat("x", 512) + `/`},
		{"max length", strings.Repeat("a", 8192)},
		{"min prefix", `abc* где*`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := rules.Parse(tc.query); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

// fuzzSeeds are realistic queries, English and Russian.
var fuzzSeeds = []string{
	`summon* ambassador -court`,
	`(summoned OR "called in" OR summons) NEAR/5 (ambassador OR envoy OR "chargé d'affaires" OR "charge d'affaires")`,
	`(вызвал* OR вызов* OR "вызван в") NEAR/5 (посл* OR поверенн* OR посла)`,
	`title:("security council" OR совбез OR "совет безопасности") NEAR/s (заседани* OR meeting)`,
	`title:(("security council" OR совбез) NEAR/5 (request* OR запрос*))`,
	`("нота протеста" OR "ноту протеста" OR "note of protest"~2) -text:/\bdraft\b/ lang:(ru OR en) country:IQ`,
	`"UN Security Council" NEAR/10 (urgent OR emergency) NEAR/s meeting source:tass* -source:ria`,
	`=US NEAR/3 strike* AND (Iraq OR Syria OR Ирак* OR Сири*)`,
	`title:=МИД text:"вызвал временного поверенного"~3 country:(us OR iq)`,
	`NOT (sport* OR football) AND "foreign ministry" NEAR/5 protest*`,
	`/\d+ (killed|dead)/ OR "death toll"`,
	`«совет безопасности» NEAR/s созыв*`,
	`10\:00 \AND U.S.-led d'affaires`,
	`a NEAR/2 (b NEAR/3 c) NEAR/1 (d OR "e f")`,
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, tc := range validQueries {
		f.Add(tc.query)
	}
	for _, tc := range invalidQueries {
		if len(tc.query) < 200 {
			f.Add(tc.query)
		}
	}
	f.Fuzz(func(t *testing.T, q string) {
		e, err := rules.Parse(q)
		if err != nil {
			var se *rules.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", q, err)
			}
			if se.Offset < 0 || se.Offset > len(q) {
				t.Fatalf("Parse(%q): offset %d out of [0,%d]", q, se.Offset, len(q))
			}
			if n := utf8.RuneCountInString(q); se.Col < 1 || se.Col > n+1 {
				t.Fatalf("Parse(%q): column %d out of [1,%d]", q, se.Col, n+1)
			}
			if se.Msg == "" || strings.Contains(se.Msg, "column") {
				t.Fatalf("Parse(%q): bad message %q", q, se.Msg)
			}
			return
		}
		if err := checkTree(e, 0); err != nil {
			t.Fatalf("Parse(%q) = %s: %v", q, dump(e), err)
		}
		if n := countLeaves(e); n > rules.MaxLeaves {
			t.Fatalf("Parse(%q) has %d leaves", q, n)
		}
		s := rules.Format(e)
		e2, err := rules.Parse(s)
		if err != nil {
			var se *rules.SyntaxError
			if len(s) > rules.MaxQueryBytes && errors.As(err, &se) && strings.HasPrefix(se.Msg, "query too long") {
				return // documented: the canonical form can be longer than the query
			}
			t.Fatalf("Parse(%q): Parse(Format(e)=%q): %v", q, s, err)
		}
		if got, want := dump(e2), dump(e); got != want {
			t.Fatalf("Parse(%q): Parse(Format(e)) = %s, want %s", q, got, want)
		}
		if got := rules.Format(e2); got != s {
			t.Fatalf("Parse(%q): Format(Parse(Format(e))) = %q, want %q", q, got, s)
		}
	})
}

// checkTree checks the shape Parse promises: flattened, within the limits,
// NEAR operands positional.
func checkTree(e rules.Expr, depth int) error {
	if depth > 3*rules.MaxLeaves {
		return errors.New("tree too deep")
	}
	switch e := e.(type) {
	case *rules.And:
		if len(e.X) < 2 {
			return fmt.Errorf("And of %d", len(e.X))
		}
		for _, x := range e.X {
			if _, ok := x.(*rules.And); ok {
				return errors.New("And inside And")
			}
			if err := checkTree(x, depth+1); err != nil {
				return err
			}
		}
	case *rules.Or:
		if len(e.X) < 2 {
			return fmt.Errorf("Or of %d", len(e.X))
		}
		for _, x := range e.X {
			if _, ok := x.(*rules.Or); ok {
				return errors.New("Or inside Or")
			}
			if err := checkTree(x, depth+1); err != nil {
				return err
			}
		}
	case *rules.Not:
		return checkTree(e.X, depth+1)
	case *rules.Near:
		if !e.Sentence && (e.Dist < 1 || e.Dist > rules.MaxDistance) {
			return fmt.Errorf("NEAR/%d", e.Dist)
		}
		for _, x := range []rules.Expr{e.X, e.Y} {
			if !positional(x) {
				return fmt.Errorf("NEAR operand %s", dump(x))
			}
			if err := checkTree(x, depth+1); err != nil {
				return err
			}
		}
	case *rules.Term:
		if e.Word == "" {
			return errors.New("empty term")
		}
		if e.Kind == rules.Prefix && utf8.RuneCountInString(e.Word) < rules.MinPrefixRunes {
			return fmt.Errorf("prefix %q", e.Word)
		}
	case *rules.Phrase:
		if len(e.Words) < 2 || len(e.Words) > rules.MaxPhraseWords {
			return fmt.Errorf("phrase of %d words", len(e.Words))
		}
		if e.Slop < 0 || e.Slop > rules.MaxDistance {
			return fmt.Errorf("slop %d", e.Slop)
		}
	case *rules.Regex:
		if e.Re == nil || len(e.Source) > rules.MaxRegexBytes {
			return fmt.Errorf("regex %q", e.Source)
		}
	case *rules.Meta:
		if e.Value == "" {
			return errors.New("empty meta")
		}
	default:
		return fmt.Errorf("node %T", e)
	}
	return nil
}

func positional(e rules.Expr) bool {
	switch e := e.(type) {
	case *rules.Term, *rules.Phrase, *rules.Near:
		return true
	case *rules.Or:
		for _, x := range e.X {
			if !positional(x) {
				return false
			}
		}
		return true
	}
	return false
}

func countLeaves(e rules.Expr) int {
	switch e := e.(type) {
	case *rules.And:
		n := 0
		for _, x := range e.X {
			n += countLeaves(x)
		}
		return n
	case *rules.Or:
		n := 0
		for _, x := range e.X {
			n += countLeaves(x)
		}
		return n
	case *rules.Not:
		return countLeaves(e.X)
	case *rules.Near:
		return countLeaves(e.X) + countLeaves(e.Y)
	}
	return 1
}

// dump prints a tree with every field, to compare trees (Regex.Re is left
// out: a regex is its source).
func dump(e rules.Expr) string {
	field := func(f rules.Field) string {
		if f == rules.AnyField {
			return "any"
		}
		return f.String()
	}
	list := func(xs []rules.Expr) string {
		s := make([]string, len(xs))
		for i, x := range xs {
			s[i] = dump(x)
		}
		return "[" + strings.Join(s, " ") + "]"
	}
	switch e := e.(type) {
	case *rules.And:
		return "And" + list(e.X)
	case *rules.Or:
		return "Or" + list(e.X)
	case *rules.Not:
		return "Not(" + dump(e.X) + ")"
	case *rules.Near:
		d := fmt.Sprint(e.Dist)
		if e.Sentence {
			d = "s"
		}
		return fmt.Sprintf("Near/%s(%s,%s)", d, dump(e.X), dump(e.Y))
	case *rules.Term:
		kind := map[rules.TermKind]string{rules.Stemmed: "stemmed", rules.Exact: "exact", rules.Prefix: "prefix"}[e.Kind]
		return fmt.Sprintf("Term(%s,%s,%q)", field(e.Field), kind, e.Word)
	case *rules.Phrase:
		return fmt.Sprintf("Phrase(%s,%q,%d)", field(e.Field), e.Words, e.Slop)
	case *rules.Regex:
		return fmt.Sprintf("Regex(%s,%q)", field(e.Field), e.Source)
	case *rules.Meta:
		return fmt.Sprintf("Meta(%s,%q)", e.Key, e.Value)
	}
	return fmt.Sprintf("%T", e)
}
