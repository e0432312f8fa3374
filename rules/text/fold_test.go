package text

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "Charge", "charge"},
		{"acute", "chargé", "charge"},
		{"upper acute", "CHARGÉ", "charge"},
		{"nfd", "charge\u0301", "charge"},
		{"full width", "ＣＨＡＲＧＥ", "charge"},
		{"cedilla tilde umlaut", "Façade Señor Über", "facade senor uber"},
		{"ligatures", "Æsir Œuvre Søren Łódź ﬁnance", "aesir oeuvre soren lodz finance"},
		{"icelandic", "Þórður Guðmundsson", "thordur gudmundsson"},
		{"croatian", "Đoković", "dokovic"},
		{"sharp s", "Straße", "strasse"},
		{"capital sharp s", "STRAẞE", "strasse"},
		{"turkish dotted I", "İstanbul", "istanbul"},
		{"turkish dotless i", "Diyarbakır", "diyarbakir"},
		{"greek", "Αθήνα ΟΔΥΣΣΕΥΣ", "αθηνα οδυσσευσ"},
		{"vietnamese", "Nguyễn Phú Trọng", "nguyen phu trong"},
		{"yo", "Ёлка ёж", "елка еж"},
		{"short i kept", "Йошкар-Ола чай", "йошкар-ола чай"},
		{"short i nfd", "и\u0306од", "йод"},
		{"yo nfd", "е\u0308ж", "еж"},
		{"cyrillic stress mark", "вы\u0301звали", "вызвали"},
		{"ukrainian kept", "Їжак ґанок", "їжак ґанок"},
		{"apostrophe right", "d’Affaires", "d'affaires"},
		{"apostrophe ascii", "d'affaires", "d'affaires"},
		{"apostrophe modifier", "dʼaffaires", "d'affaires"},
		{"apostrophe grave", "d`affaires", "d'affaires"},
		{"apostrophe acute", "d´affaires", "d'affaires"},
		{"apostrophe prime", "d′affaires", "d'affaires"},
		{"apostrophe full width", "d＇affaires", "d'affaires"},
		{"apostrophe left", "d‘affaires", "d'affaires"},
		{"acronym", "U.S.", "us."},
		{"acronym lower", "u.s", "us"},
		{"acronym three", "U.S.A", "usa"},
		{"acronym UN", "U.N", "un"},
		{"acronym cyrillic", "т.е.", "те."},
		{"not acronym", "Example.com", "example.com"},
		{"soft hyphen", "Ad\u00admin\u00adistration", "administration"},
		{"separators kept", "U.S.-led  «talks»—now", "us.-led  «talks»—now"},
		{"numbers", "3.5 1,000", "3.5 1,000"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestFoldVariants checks that each group of spellings folds to one Norm,
// in Fold and in Analyze alike.
func TestFoldVariants(t *testing.T) {
	tests := []struct {
		name     string
		variants []string
		want     string
	}{
		{"charge", []string{"charge", "chargé", "CHARGÉ", "Charge\u0301", "ＣＨＡＲＧＥ", "ｃｈａｒｇé"}, "charge"},
		{"d'affaires", []string{"d’Affaires", "d'affaires", "dʼaffaires", "d`affaires", "D‘AFFAIRES", "d´affaires"}, "d'affaires"},
		{"ёлка", []string{"ёлка", "Ёлка", "елка", "ЕЛКА", "е\u0308лка"}, "елка"},
		{"us", []string{"U.S", "US", "u.s", "us", "Ｕ.Ｓ"}, "us"},
		{"strasse", []string{"Straße", "STRASSE", "strasse", "STRAẞE"}, "strasse"},
	}
	a := NewAnalyzer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range tt.variants {
				if got := Fold(v); got != tt.want {
					t.Errorf("Fold(%q) = %q, want %q", v, got, tt.want)
				}
				toks := a.Analyze(nil, v, English)
				got := ""
				if len(toks) == 1 {
					got = toks[0].Norm
				}
				if got != tt.want {
					t.Errorf("Analyze(%q) Norm = %q (%d tokens), want %q", v, got, len(toks), tt.want)
				}
			}
		})
	}
}

// TestRuneTable checks the invariants the fast paths rely on: a rune
// flagged fast is NFKC-normal and starts a segment, and every entry is
// what the slow path computes.
func TestRuneTable(t *testing.T) {
	for r := rune(0); r < tableLen; r++ {
		e := runeTable[r]
		if got, want := string(e.fold[:e.n]), string(appendFoldSlow(nil, r)); got != want {
			t.Errorf("fold of %U = %q, want %q", r, got, want)
		}
		if e.flags&flagFast == 0 {
			continue
		}
		s := string(r)
		if !norm.NFKC.IsNormalString(s) || !norm.NFKC.PropertiesString(s).BoundaryBefore() {
			t.Errorf("%U flagged fast but is not a normal segment start", r)
		}
		if !utf8.Valid(e.fold[:e.n]) {
			t.Errorf("fold of %U is not UTF-8: %q", r, e.fold[:e.n])
		}
	}
}

// TestFoldIdempotent checks that folding a folded word changes nothing, so
// that a query word folded twice still matches.
func TestFoldIdempotent(t *testing.T) {
	for _, s := range []string{"Chargé d’Affaires", "U.S. Straße İstanbul", "Ёлка Йошкар-Ола", "ΟΔΥΣΣΕΥΣ Łódź", "ＣＨＡＲＧＥ ﬁnance ½"} {
		once := Fold(s)
		if twice := Fold(once); twice != once {
			t.Errorf("Fold(Fold(%q)) = %q, want %q", s, twice, once)
		}
	}
}
