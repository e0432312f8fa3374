package rules

// Limits on one query. Anyone in a chat can type a query (lookup, explain),
// so Parse caps its size and the work it can cause. An error over a limit
// names the limit and both numbers.
const (
	// MaxQueryBytes caps the length of a query in bytes. Rules in the config
	// that cover English and Russian wordings of one event run to 4 KB
	// (Cyrillic takes two bytes a letter); typed queries are far shorter.
	MaxQueryBytes = 8192

	// MaxDepth caps nesting: every parenthesis, NOT (or -) and field prefix
	// (title:, lang: …) around a part of the query adds one level.
	MaxDepth = 20

	// MaxLeaves caps the number of terms, phrases, regexes and field values
	// (lang:ru counts one) in a query.
	MaxLeaves = 400

	// MaxPhraseWords caps the number of words in one "phrase".
	MaxPhraseWords = 32

	// MaxDistance caps N in NEAR/N and in "a phrase"~N.
	MaxDistance = 100

	// MinPrefixRunes is the least number of letters (or digits) before the *
	// of a prefix: "ab*" would match a large part of the vocabulary.
	MinPrefixRunes = 3

	// MaxRegexBytes caps the source of one /regex/ in bytes.
	MaxRegexBytes = 512

	// MaxRegexInsts caps the size of one compiled regex, counted as the
	// instructions of its program: syntax.Parse(src, syntax.Perl), then
	// syntax.Compile(re.Simplify()), then len(prog.Inst). Repetitions such as
	// x{1,500} are what make a short regex large.
	MaxRegexInsts = 2000
)
