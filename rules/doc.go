// Package rules parses and evaluates alert rules.
//
// # Query language
//
// A rule is a query in the Boolean language that media-monitoring tools
// share (Lucene, Talkwalker, Brandwatch, Meltwater). For example:
//
//	summon* ambassador -court
//	(summoned OR "called in") NEAR/5 (ambassador OR "chargé d'affaires" OR посла)
//	"security council" NEAR/s (request* OR urgent) lang:en
//	title:(совбез OR "совет безопасности") AND (запрос* OR созыв*)
//	"note of protest"~2 country:IQ -source:tass*
//
// Words. A word is a run of characters up to white space or one of
// ( ) " : — apostrophes, dots and hyphens inside a word are part of it, so
// d'affaires, U.S. and US-led are each one term (a term that stands for
// several words of the text matches them as a phrase). A word matches the
// words of the text with the same stem in the text's language, whatever
// their case and accents: summon finds summoned and summons, посол finds
// посла. A word must have a letter or a digit. A backslash makes the next
// character part of the word: 10\:00, \AND, \-5.
//
//	word      same stem: summon = summons = summoned
//	=word     this form only, not stemmed: =summoned does not find summons
//	word*     any word that starts with it: request* finds requested, requesting;
//	          * only at the end, after at least 3 letters (US-led* but not US-le*)
//	"a b c"   the words in this order, next to each other
//	"a b c"~2 in this order with at most 2 other words between them in all
//	/regex/   an RE2 regular expression on the normalised text (see below)
//
// A phrase in quotes of one word is that word, stemmed like any other.
// Typographic quotes “…”, „…“ and «…» work like "…". Inside a phrase, \"
// is a quote and \\ a backslash; * is not allowed.
//
// Operators, loosest first. They are recognised only in upper case: and, or
// and not are ordinary words.
//
//	a OR b          either
//	a AND b, a b    both (writing terms side by side means AND)
//	NOT a, -a       not a; -a applies to the term, phrase or group right after it
//	a NEAR/5 b      a and b at most 5 words apart, in either order (NEAR/1: next to each other)
//	a NEAR/s b      a and b in the same sentence (NEAR/S too)
//	( … )           grouping
//
// So "a NEAR/5 b OR c" is (a NEAR/5 b) OR c, "a OR b c" is a OR (b AND c),
// and "NOT a NEAR/3 b" is NOT (a NEAR/3 b). Each side of NEAR is a word, a
// phrase, another NEAR, or a group of those joined by OR:
//
//	(summoned OR "called in") NEAR/5 (ambassador OR envoy)
//
// Fields. Without a field a text term looks at the title and the text.
//
//	title:summoned                    in the title
//	text:("note of protest" OR нот*)  in the body text; a field applies to a whole group
//	source:tass, source:ria*          the id of the source (a trailing * for a prefix)
//	lang:ru, lang:(ru OR uk)          the language of the item (ISO 639 code, like en or pt-BR)
//	country:IQ, country:(IQ OR SY)    a country the item mentions (ISO 3166 two-letter code)
//
// source:, lang: and country: take one value, or values joined by OR in
// parentheses; their case does not matter. Both sides of a NEAR must be in
// the same field, since positions are counted in one field: write
// title:(a NEAR/5 b), not title:a NEAR/5 b. A colon after any other word is
// an error; write 10\:00.
//
// Regular expressions use Go's RE2 syntax, case-insensitively, on the text
// after normalisation (lower case, accents removed, ё as е, quotes and
// apostrophes unified). A / inside is written \/. \b and \w know only ASCII
// letters: use \pL for a letter of any script. A regex that matches an empty
// text is refused, as it would match every item. Regexes cannot be used
// with NEAR and are slower than words: prefer words and phrases.
//
// Not supported, and refused rather than misread: Lucene's fuzzy word~2, ?
// wildcards, ! and && || for NOT AND OR, near/5 in lower case.
//
// # Query grammar
//
//	query   = or .
//	or      = and { "OR" and } .
//	and     = unary { [ "AND" ] unary } .
//	unary   = "NOT" unary | "-" primary | near .
//	near    = primary { ( "NEAR/" number | "NEAR/s" ) primary } .
//	primary = "(" or ")" | textfield ":" primary | metafield ":" values
//	        | phrase [ "~" number ] | "/" regex "/" | "=" word | word [ "*" ] .
//	values  = word | "(" values { "OR" values } ")" .
//	textfield = "title" | "text" .
//	metafield = "source" | "lang" | "country" .
//
// "-" is NOT only at the start of a term and with no space after it;
// inside a word (US-led) it is part of the word. "~" follows a phrase's
// closing quote with no space. A field name is followed by ":" with no space
// (a space after the colon is allowed). A title: or text: group cannot hold
// the other text field; NEAR's two sides must have the same field.
//
// # Query limits
//
// A query has at most 8192 bytes (MaxQueryBytes) and 400 terms, phrases,
// regexes and field values (MaxLeaves), nests parentheses, NOTs and fields
// at most 20 deep (MaxDepth); a phrase has at most 32 words
// (MaxPhraseWords); NEAR/N and "…"~N go up to 100 (MaxDistance); a prefix
// has at least 3 letters (MinPrefixRunes); a regex has at most 512 bytes
// (MaxRegexBytes) and compiles to at most 2000 instructions (MaxRegexInsts).
//
// Parse reports an invalid query as a *SyntaxError with the column,
// counted in characters from 1, where the problem is:
//
//	summoned AND              column 10: missing term after "AND"
//	(summoned OR called in    column 1: unmatched "("
//	titel:summoned            column 1: unknown field "titel"
//	title:a NEAR/5 b          column 9: NEAR operands must be in the same field (title: and no field)
//	посол "вызван в           column 7: unterminated phrase
//
// Format prints a parsed query in canonical form, with every operator and
// field spelled out:
//
//	summon* ambassador -court  →  summon* AND ambassador AND NOT court
//	title:(a OR "b c")         →  title:a OR title:"b c"
//
// # Matching
//
// A Matcher is built once from rule sets (NewMatcher) and is safe for
// concurrent use; build a new one when the rules change. Match analyses a
// Document once — title and text, each split into words, folded and
// stemmed in the document's language, or by script when it has none — and
// returns the rules that match, in the order they were given, each with
// the byte spans that made it match (nothing under a NOT is shown) and the
// countries the document mentions. A word matches a word of the text with
// the same stem in that word's language. Positions are counted in words,
// and a phrase or a NEAR (NEAR/N as well as NEAR/s) stays within one
// sentence: "summoned NEAR/3 ambassador" does not match "He was summoned.
// The ambassador left.", which in a long article is two other events. The
// title is a sentence of its own.
//
// Most rules are never evaluated for a given document. Each rule is
// indexed by words one of which must occur for it to match: for AND, the
// rarest-looking operand's words; for OR, the words of every operand; for
// a phrase or NEAR, one of its words. Match looks up the document's words
// and evaluates only the rules found. A rule with no such words — only NOT,
// a regex, or only source:, lang: or country: — is evaluated for every
// document; Matcher.Slow lists them, and check warns about them. Before a
// candidate's query is evaluated, its prefilter — the other words it
// requires, in conjunctive form, kept in the index beside the rule — turns
// away most candidates without touching the query's tree. The index and the
// prefilter may admit a rule that does not match, never turn away one that
// does.
package rules
