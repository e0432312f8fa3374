// Package text is the text analysis of the rules engine: it splits news
// items into words and sentences, folds words so that spelling variants
// meet, and stems them by language. It imports nothing from the project.
//
// # Words
//
// A word is a maximal run of letters (unicode.L), digits (unicode.Nd) and
// combining marks (unicode.M) that starts with a letter or a digit. Some
// characters join the word characters around them into one word:
//
//   - an apostrophe (' ’ ‘ ʼ ` ´ ′ ＇) between two letters: "d'affaires",
//     "Russia’s";
//   - '.' between two letters or two digits: "U.S", "e.g", "3.5";
//   - ',' between two digits: "1,000";
//   - an invisible soft hyphen (U+00AD), zero width non-joiner or joiner
//     (U+200C, U+200D) or word joiner (U+2060) before a letter or digit.
//
// Everything else separates words: white space, punctuation, hyphens and
// dashes ("US-led" is two words), symbols, emoji. Words are found on Unicode
// properties, never with the ASCII-only \b and \w of regular expressions,
// and a word is matched whole: "propaganda" does not contain the word
// "pagan". Scripts written without spaces (Chinese, Japanese, Thai) come
// out as one word per run of letters.
//
// # Sentences
//
// A sentence ends at a line break, and at '.', '!', '?' or '…' (or a run of
// them, with closing quotes or brackets before or after) followed by white
// space and then an opening quote or bracket or a word that does not start
// with a lower-case letter. A lone '.' does not end a sentence after a
// dotted acronym ("the U.S. Senate"), an initial ("J. K. Rowling",
// "В. Путин") or a common English or Russian abbreviation ("Mr.", "Gen.",
// "Dec.", "г.", "ул.", "млн").
//
// # Folding
//
// Every word is folded to its Norm, rune by rune, the same way in Analyze,
// Fold and Normalize:
//
//   - NFKC normalisation (full-width "ＣＨＡＲＧＥ" is "CHARGE", "ﬁ" is "fi"),
//     skipped for text that is already normal;
//   - full case folding to lower case ("ß" is "ss", "İ" is "i");
//   - Latin and Greek letters lose their diacritics ("chargé" is "charge",
//     "ñ" is "n"), and the Latin letters that do not decompose are spelt in
//     ASCII (æ ae, œ oe, ø o, đ d, ð d, ł l, ı i, þ th, ħ h, ŧ t);
//   - Cyrillic "ё" is "е", while "й" and other Cyrillic letters stay as they
//     are; accents that belong to no script, such as a stress mark over a
//     Cyrillic vowel, are dropped;
//   - every apostrophe is ASCII ', and the invisible joiners above vanish;
//   - a dotted acronym keeps its letters only: "U.S" is "us", "т.е" is "те".
//
// # Stems
//
// A word is stemmed with the Snowball stemmer of its language (see
// TokenLang): Cyrillic words in Russian, Latin-script words in the document
// language when it is written in Latin script and in English otherwise.
// German and Unknown have no stemmer, and their stem is the Norm. Stems are
// computed from the folded form, so French and Spanish stemming sees no
// accents; queries are folded the same way, so both sides agree.
//
// An Analyzer caches stems per language, up to a bound past which the cache
// starts again empty. It is safe for concurrent use, and the functions of
// the package are safe too: their only package-level state is a table built
// once at initialisation.
package text
