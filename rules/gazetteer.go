package rules

import (
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alertbot/alertbot/rules/text"
)

// gazetteerData is the country list; its header documents the format.
//
//go:embed gazetteer.txt
var gazetteerData string

// Gazetteer finds the countries a text mentions: names, adjectives,
// demonyms and capitals in English and Russian, in all their forms. It is
// built once from the embedded gazetteer.txt and is safe for concurrent use.
//
// A name is a phrase of one or more words. It matches consecutive tokens of
// one sentence, each word by stem (or by exact folded form where the data
// says so), and where several names start at one token the longest wins, so
// that "South Sudan" is SS and "New Mexico" (an exclusion) is nothing.
type Gazetteer struct {
	an    *text.Analyzer
	names []gzName
	// byStem indexes the names by the stems of their first word (for an
	// exact word, the stems of its forms), so that a token costs one map
	// lookup. Each list is ordered longest name first, then in data order.
	byStem map[string][]int32
	later  map[string]bool // the keys of the words of names but their first
	long   []bool          // long[k]: names[k] has more than one word
	codes  map[string]bool // the codes in the data, upper case
}

// gzName is one name of a country, or an exclusion (code "").
type gzName struct {
	code  string
	words []gzWord
}

// gzWord is one token of a name.
type gzWord struct {
	keys  []string // stems, or folded forms when flags&gzExact
	stems []string // the stems of keys, which byStem indexes
	cased []string // with gzCase: letters of keys[i] as written in the data
	flags gzFlags
	// loose: the text between this word and the one before may hold any
	// punctuation, because the name has some there ("Atlanta, Georgia").
	loose bool
}

type gzFlags uint8

const (
	gzExact    gzFlags = 1 << iota // "=": compare the folded form, not the stem
	gzCapital                      // "^": the word starts with an upper-case letter
	gzCase                         // "!": same letters in the same case (implies gzExact)
	gzNotFirst                     // "~": not the first word of a sentence
)

// NewGazetteer builds the gazetteer of the embedded gazetteer.txt, analysing
// the names with a. It panics if the embedded file is broken, which the
// package's tests rule out.
func NewGazetteer(a *text.Analyzer) *Gazetteer {
	return mustGazetteer(a, gazetteerData)
}

func mustGazetteer(a *text.Analyzer, data string) *Gazetteer {
	g, err := parseGazetteer(a, data)
	if err != nil {
		panic(err)
	}
	return g
}

// Countries appends to dst the ISO 3166-1 alpha-2 codes of the countries
// that toks mention, in order of first mention, and returns the extended
// slice. toks are the tokens that Analyze produced for src. A code already
// in dst is not added again, so that the title and the text of one item can
// be scanned one after the other into one slice.
func (g *Gazetteer) Countries(dst []string, src string, toks []text.Token) []string {
	gz := make([]gzToken, len(toks))
	for i := range toks {
		gz[i] = g.token(&toks[i])
	}
	return g.countries(dst, src, toks, gz)
}

// gzToken is what the gazetteer knows of a token: the names that may start
// with it, and whether it may be a later word of some name. A Matcher
// keeps it with the other things it knows of each word form.
type gzToken struct {
	names   []int32
	follows bool
}

func (g *Gazetteer) token(t *text.Token) gzToken {
	if t.Lang == text.Unknown {
		return gzToken{} // digits, or a script we have no names in
	}
	return gzToken{
		names:   g.byStem[g.stem(t)],
		follows: g.later[g.stem(t)] || g.later[trimPossessive(t.Norm)],
	}
}

// countries is Countries with gz[i] what the gazetteer knows of toks[i].
func (g *Gazetteer) countries(dst []string, src string, toks []text.Token, gz []gzToken) []string {
	for i := 0; i < len(toks); {
		code, n := g.longest(src, toks, i, gz[i].names, i+1 < len(toks) && gz[i+1].follows)
		if n == 0 {
			i++
			continue
		}
		if code != "" && !slices.Contains(dst, code) {
			dst = append(dst, code)
		}
		i += n
	}
	return dst
}

// longest returns the longest of names, which may start at toks[i], that
// does, as its code and its length in tokens (0 if none). Unless long,
// names of more than one word are not tried: the next token cannot be
// their second word.
func (g *Gazetteer) longest(src string, toks []text.Token, i int, names []int32, long bool) (code string, n int) {
	for _, k := range names {
		if !long && g.long[k] {
			continue
		}
		if nm := &g.names[k]; g.matches(nm, src, toks, i) {
			return nm.code, len(nm.words)
		}
	}
	return "", 0
}

// matches reports whether nm, one of the names that may start at toks[i]
// (gzToken.names), matches toks from i on, flags included.
func (g *Gazetteer) matches(nm *gzName, src string, toks []text.Token, i int) bool {
	if i+len(nm.words) > len(toks) {
		return false
	}
	for j := range nm.words {
		w := &nm.words[j]
		t := &toks[i+j]
		if j > 0 {
			prev := &toks[i+j-1]
			if t.Sentence != prev.Sentence || !w.loose && !tightGap(src[prev.End:t.Start]) {
				return false
			}
		}
		k := 0 // the stem of the first word is how nm was found (gzToken.names)
		if j > 0 || w.flags&gzExact != 0 {
			if k = w.match(g, t); k < 0 {
				return false
			}
		}
		if w.flags&(gzCapital|gzCase|gzNotFirst) == 0 {
			continue
		}
		surface := src[t.Start:t.End]
		if w.flags&gzCapital != 0 {
			if r, _ := utf8.DecodeRuneInString(surface); !unicode.IsUpper(r) {
				return false
			}
		}
		if w.flags&gzCase != 0 && !sameLetters(surface, w.cased[k]) {
			return false
		}
		if w.flags&gzNotFirst != 0 && (i+j == 0 || toks[i+j-1].Sentence != t.Sentence) {
			return false
		}
	}
	return true
}

// match returns the index in w.keys of the key that t has, or -1.
func (w *gzWord) match(g *Gazetteer, t *text.Token) int {
	var key string
	if w.flags&gzExact != 0 {
		key = trimPossessive(t.Norm)
	} else {
		key = g.stem(t)
	}
	return slices.Index(w.keys, key)
}

// stem returns the stem of t in the language its names are in: Russian for
// Cyrillic words, English for Latin-script ones (which a French, Spanish or
// German document stems in its own language).
func (g *Gazetteer) stem(t *text.Token) string {
	switch t.Lang {
	case text.English, text.Russian, text.Unknown:
		return t.Stem
	}
	return g.an.Stem(t.Norm, text.English)
}

// trimPossessive cuts an English possessive off a folded word: "iraq's",
// "us's" and "states'" are "iraq", "us" and "states". Norm keeps the
// apostrophe of "U.S.'s" only between letters, so a trailing one is rare.
func trimPossessive(norm string) string {
	if n := len(norm); n > 2 && norm[n-2] == '\'' && norm[n-1] == 's' {
		return norm[:n-2]
	}
	return strings.TrimSuffix(norm, "'")
}

// tightGap reports whether gap, the text between two words of a name,
// holds only what may stand inside a name: white space, hyphens and
// dashes, dots, apostrophes and brackets. A comma or a colon between two
// words ("in the South, Sudan's army") breaks the name.
func tightGap(gap string) bool {
	for _, r := range gap {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Pd, r), r == '.', r == '\'', r == '’',
			r == '(', r == ')', r == '«', r == '»', r == '"', r == '“', r == '”':
		default:
			return false
		}
	}
	return true
}

// sameLetters reports whether surface has the letters of want, in the same
// case, ignoring what is not a letter ("U.S" has the letters of "US") and
// an English possessive ("US's" has them too).
func sameLetters(surface, want string) bool {
	if i := strings.IndexAny(surface, "'’"); i >= 0 {
		surface = surface[:i]
	}
	for _, r := range surface {
		if !unicode.IsLetter(r) {
			continue
		}
		w, n := utf8.DecodeRuneInString(want)
		if n == 0 || w != r {
			return false
		}
		want = want[n:]
	}
	return want == ""
}

// Code resolves a country as a user writes it in a command or a query: an
// alpha-2 code in any case ("IQ", "iq") or any name the gazetteer knows
// ("Iraq", "Iraqi", "Ирак", "США"), whole. The case flags of the data do not
// apply: "us" is the code US, "того" is Togo. ok is false if name is none of
// these.
func (g *Gazetteer) Code(name string) (code string, ok bool) {
	name = strings.TrimSpace(name)
	if len(name) == 2 {
		if c := strings.ToUpper(name); g.codes[c] {
			return c, true
		}
	}
	toks := g.an.Analyze(nil, name, text.Unknown)
	if len(toks) == 0 {
		return "", false
	}
	for _, k := range g.byStem[g.stem(&toks[0])] {
		nm := &g.names[k]
		if len(nm.words) == len(toks) && nm.code != "" && g.matchesLoosely(nm, toks) {
			return nm.code, true
		}
	}
	return "", false
}

// matchesLoosely reports whether nm matches all of toks by keys alone.
func (g *Gazetteer) matchesLoosely(nm *gzName, toks []text.Token) bool {
	for j := range nm.words {
		if nm.words[j].match(g, &toks[j]) < 0 {
			return false
		}
	}
	return true
}

// parseGazetteer reads data in the format of gazetteer.txt.
func parseGazetteer(a *text.Analyzer, data string) (*Gazetteer, error) {
	g := &Gazetteer{
		an:     a,
		byStem: make(map[string][]int32),
		later:  make(map[string]bool),
		codes:  make(map[string]bool),
	}
	var errs []error
	code, inBlock := "", false
	for n, line := range strings.Split(data, "\n") {
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("rules: gazetteer.txt:%d: %s", n+1, fmt.Sprintf(format, args...)))
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			code = strings.Fields(line)[0]
			inBlock = true
			switch {
			case code == "--":
				code = ""
			case !isCode(code):
				fail("%q is not an alpha-2 code", code)
				inBlock = false
			case g.codes[code]:
				fail("%s has two blocks", code)
			default:
				g.codes[code] = true
			}
			continue
		}
		if !inBlock {
			fail("names outside a block")
			continue
		}
		fields := strings.Fields(line)
		lang := text.ParseLang(fields[0])
		if lang == text.Unknown || fields[0] != lang.String() {
			fail("unknown language %q", fields[0])
			continue
		}
		rest := strings.TrimSpace(line)[len(fields[0]):]
		for _, s := range strings.Split(rest, ";") {
			s = strings.TrimSpace(s)
			if s == "" {
				fail("empty name")
				continue
			}
			words, err := g.parseName(s, lang)
			if err != nil {
				fail("%q: %v", s, err)
				continue
			}
			g.names = append(g.names, gzName{code: code, words: words})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := g.index(); err != nil {
		return nil, err
	}
	return g, nil
}

func isCode(s string) bool {
	return len(s) == 2 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z'
}

// parseName turns a name of the data into its words.
func (g *Gazetteer) parseName(s string, lang text.Lang) ([]gzWord, error) {
	var words []gzWord
	loose := false // punctuation other than tightGap's since the last token
	for _, field := range strings.Fields(s) {
		flags, rest, err := parseFlags(field)
		if err != nil {
			return nil, err
		}
		if flags&gzNotFirst != 0 && len(words) > 0 {
			return nil, errors.New("~ on a word that is not the first")
		}
		alts := strings.Split(rest, "|")
		if len(alts) > 1 && flags&gzExact == 0 {
			return nil, errors.New("alternative forms (a|b) without = or !")
		}
		first := g.an.Analyze(nil, alts[0], lang)
		if len(first) == 0 {
			loose = loose || !tightGap(alts[0]) // a dash, as in "Папуа — Новая Гвинея"
			continue
		}
		ws := make([]gzWord, len(first))
		for k, t := range first {
			ws[k].flags = flags
			if k > 0 {
				ws[k].flags &^= gzNotFirst
				ws[k].loose = !tightGap(alts[0][first[k-1].End:t.Start])
			} else {
				ws[k].loose = loose || !tightGap(alts[0][:t.Start])
			}
		}
		loose = !tightGap(alts[0][first[len(first)-1].End:])
		for _, alt := range alts {
			toks := g.an.Analyze(nil, alt, lang)
			if len(toks) != len(ws) {
				return nil, fmt.Errorf("%q and %q differ in length", alts[0], alt)
			}
			for k, t := range toks {
				if err := ws[k].addKeys(g.an, alt[t.Start:t.End], &t, lang); err != nil {
					return nil, err
				}
			}
		}
		words = append(words, ws...)
	}
	if len(words) == 0 {
		return nil, errors.New("no words")
	}
	words[0].loose = false
	return words, nil
}

// addKeys adds to w the keys of t, a token of a name in language lang
// written as surface.
func (w *gzWord) addKeys(a *text.Analyzer, surface string, t *text.Token, lang text.Lang) error {
	if t.Lang != lang {
		return fmt.Errorf("%q is not written in %s", surface, lang)
	}
	if w.flags&gzExact != 0 {
		if !slices.Contains(w.keys, t.Norm) {
			w.keys = append(w.keys, t.Norm)
			w.stems = appendNew(w.stems, t.Stem)
			if w.flags&gzCase != 0 {
				w.cased = append(w.cased, letters(surface))
			}
		}
		return nil
	}
	w.keys = appendNew(w.keys, t.Stem)
	if lang == text.Russian && strings.ToUpper(surface) != surface { // not an acronym (США)
		for _, f := range russianForms(t.Norm) {
			w.keys = appendNew(w.keys, a.Stem(f, text.Russian))
		}
	}
	w.stems = w.keys
	return nil
}

func parseFlags(field string) (gzFlags, string, error) {
	var flags gzFlags
	for i := 0; i < len(field); i++ {
		var f gzFlags
		switch field[i] {
		case '=':
			f = gzExact
		case '^':
			f = gzCapital
		case '!':
			f = gzCase | gzExact
		case '~':
			f = gzNotFirst
		default:
			return flags, field[i:], nil
		}
		if flags&f == f {
			return 0, "", fmt.Errorf("%q repeats a flag", field)
		}
		flags |= f
	}
	return 0, "", fmt.Errorf("%q has flags and no word", field)
}

func appendNew(l []string, s string) []string {
	if slices.Contains(l, s) {
		return l
	}
	return append(l, s)
}

// letters returns the letters of s, as written.
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, s)
}

// index builds byStem, later and long. It rejects two names of different
// countries that one phrase could match, flags aside: such a phrase would
// be reported as whichever comes first in the data.
func (g *Gazetteer) index() error {
	g.long = make([]bool, len(g.names))
	for k, nm := range g.names {
		for _, key := range nm.words[0].stems {
			if l := g.byStem[key]; !slices.Contains(l, int32(k)) {
				g.byStem[key] = append(l, int32(k))
			}
		}
		for _, w := range nm.words[1:] {
			for _, key := range w.keys {
				g.later[key] = true
			}
		}
		g.long[k] = len(nm.words) > 1
	}
	var errs []error
	longestFirst := func(a, b int32) int { return len(g.names[b].words) - len(g.names[a].words) }
	for key, l := range g.byStem {
		slices.SortStableFunc(l, longestFirst)
		g.byStem[key] = slices.Clip(l)
		for i, a := range l {
			for _, b := range l[i+1:] {
				if x, y := &g.names[a], &g.names[b]; x.code != y.code && overlap(x, y) {
					errs = append(errs, fmt.Errorf("rules: gazetteer.txt: %s and %s share a name: %s",
						codeName(x.code), codeName(y.code), strings.Join(x.words[0].keys, "|")))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// overlap reports whether some phrase could match both x and y: each pair
// of their words has a folded form or a stem in common.
func overlap(x, y *gzName) bool {
	if len(x.words) != len(y.words) {
		return false
	}
	for j := range x.words {
		a, b := &x.words[j], &y.words[j]
		ka, kb := a.keys, b.keys
		if a.flags&gzExact != b.flags&gzExact {
			ka, kb = a.stems, b.stems
		}
		if !slices.ContainsFunc(ka, func(k string) bool { return slices.Contains(kb, k) }) {
			return false
		}
	}
	return true
}

func codeName(code string) string {
	if code == "" {
		return "an exclusion"
	}
	return code
}

// russianForms returns the case forms of a Russian noun given in the
// nominative (folded), singular or plural, by the regular declensions.
// Snowball's Russian stemmer gives some of them a stem other than the
// nominative's (Афганистан → афганиста, Афганистане → афганистан; Гвинея →
// гвине, Гвинеи → гвин), so a name is indexed by the stems of all its
// forms. The forms are a superset: a few do not exist, which costs nothing
// but a key. Adjectives (-ский, -ый, -ая, …) have one stem in all forms and
// get none.
func russianForms(w string) []string {
	if utf8.RuneCountInString(w) < 4 {
		return nil // и, в, да; and Чад, Рим, Мэн have one stem anyway
	}
	for _, end := range [...]string{"ий", "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие"} {
		if strings.HasSuffix(w, end) && (end != "ий" || isAdjective(w)) {
			return nil
		}
	}
	r, size := utf8.DecodeLastRuneInString(w)
	base := w[:len(w)-size]
	with := func(b string, ends ...string) []string {
		forms := make([]string, len(ends))
		for i, e := range ends {
			forms[i] = b + e
		}
		return forms
	}
	switch {
	case strings.HasSuffix(w, "анин") || strings.HasSuffix(w, "янин"): // россиянин, россияне, россиян
		b := strings.TrimSuffix(w, "ин")
		return append(with(w, "а", "у", "ом", "е"), with(b, "е", "", "ам", "ами", "ах")...)
	case strings.HasSuffix(w, "ец"): // американец, американца, американцы
		b := strings.TrimSuffix(w, "ец") + "ц"
		return with(b, "а", "у", "ем", "ом", "е", "ы", "ев", "ам", "ами", "ах")
	case r == 'а':
		return with(base, "ы", "и", "е", "у", "ой", "ою")
	case r == 'я':
		return with(base, "и", "е", "ю", "ей", "ею")
	case r == 'й':
		return with(base, "я", "ю", "ем", "е", "и", "ев")
	case r == 'ь':
		return with(base, "я", "ю", "ем", "е", "и", "ью")
	case r == 'ы' || r == 'и': // a plural: Филиппины, Афины
		return with(base, "", "ов", "ам", "ами", "ах")
	case unicode.Is(unicode.Cyrillic, r) && !strings.ContainsRune("оеуюэ", r):
		return with(w, "а", "у", "ом", "е", "ы", "и", "ов", "ам", "ами", "ах")
	}
	return nil // о, е, у, ю, э: indeclinable
}

// isAdjective tells an adjective in -ий (российский, верхний) from a noun
// (Маврикий).
func isAdjective(w string) bool {
	for _, end := range [...]string{"ский", "цкий", "кий", "гий", "хий", "ний", "чий", "жий", "ший", "щий"} {
		if strings.HasSuffix(w, end) {
			return !strings.HasSuffix(w, "икий") // Маврикий
		}
	}
	return false
}
