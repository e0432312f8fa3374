package text

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"folding", "Chargé d’Affaires", "charge d'affaires"},
		{"double quotes", "«Газпром» “Rosneft” „Lukoil“ ‹x› ＂y＂", `"газпром" "rosneft" "lukoil" "x" "y"`},
		{"single quotes", "‘a’ ‚b‛ `c´", "'a' 'b' 'c'"},
		{"dashes", "a–b—c‐d‑e−f－g", "a-b-c-d-e-f-g"},
		{"white space", "a \t\n\u00a0\u2009b\r\n", "a b "},
		{"leading space", "  a", " a"},
		{"nbsp", "5\u00a0000", "5 000"},
		{"acronym keeps dots", "U.S.-led", "u.s.-led"},
		{"ellipsis", "Wait…", "wait..."},
		{"full width", "ＣＨＡＲＧＥ！", "charge!"},
		{"nfd", "charge\u0301 и\u0306", "charge й"},
		{"soft hyphen", "ad\u00admin", "admin"},
		{"emoji", "ok 😀", "ok 😀"},
		{"invalid", "a\xffb", "a\uFFFDb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in).Text; got != tt.want {
				t.Errorf("Normalize(%q).Text = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestNormalizeOrig checks the offsets of some normalised spans.
func TestNormalizeOrig(t *testing.T) {
	tests := []struct {
		name string
		in   string
		find string // in the normalised text
		want string // the original it came from
	}{
		{"ascii", "The envoy left", "envoy", "envoy"},
		{"after accents", "Chargé d’Affaires summoned", "summoned", "summoned"},
		{"accented", "Le chargé d’affaires", "charge", "chargé"},
		{"apostrophe", "Le chargé d’affaires", "d'affaires", "d’affaires"},
		{"cyrillic", "Посол США вызван", "сша", "США"},
		{"after spaces", "a \u00a0\n  Посол", "посол", "Посол"},
		{"spaces", "a \u00a0\n  b", " ", " \u00a0\n  "},
		{"quotes", "«Газпром»", `"газпром"`, "«Газпром»"},
		{"sharp s", "Straße x", "strasse", "Straße"},
		{"nfd", "charge\u0301 x", "charge", "charge\u0301"},
		{"full width", "ＣＨＡＲＧＥ x", "charge", "ＣＨＡＲＧＥ"},
		{"ellipsis", "a… b", "a...", "a…"},
		{"last byte", "x É", "e", "É"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := Normalize(tt.in)
			i := strings.Index(n.Text, tt.find)
			if i < 0 {
				t.Fatalf("%q not in %q", tt.find, n.Text)
			}
			if got := tt.in[n.Orig(i):n.Orig(i+len(tt.find))]; got != tt.want {
				t.Errorf("original of %q = %q, want %q", tt.find, got, tt.want)
			}
		})
	}
}

// checkOrig checks the properties of Orig for the normalised text of s: it
// starts at 0 (or after what folds to nothing), never decreases, stays in
// bounds, ends at len(s), and maps rune starts to rune starts.
func checkOrig(s string) error {
	n := Normalize(s)
	prev := 0
	for i := 0; i <= len(n.Text); i++ {
		o := n.Orig(i)
		if o < prev || o > len(s) {
			return fmt.Errorf("Normalize(%q): Orig(%d) = %d after %d, len %d", s, i, o, prev, len(s))
		}
		if i < len(n.Text) && utf8.RuneStart(n.Text[i]) && !utf8.RuneStart(s[o]) && utf8.Valid([]byte(s)) {
			return fmt.Errorf("Normalize(%q): Orig(%d) = %d is inside a rune", s, i, o)
		}
		prev = o
	}
	if got := n.Orig(len(n.Text)); got != len(s) {
		return fmt.Errorf("Normalize(%q): Orig(len(Text)) = %d, want %d", s, got, len(s))
	}
	if !utf8.ValidString(n.Text) {
		return fmt.Errorf("Normalize(%q).Text is not UTF-8: %q", s, n.Text)
	}
	return nil
}

func TestNormalizeOrigProperties(t *testing.T) {
	texts := []string{
		"",
		"a",
		"  ",
		"\u00ad",
		"\u0301a",
		"Chargé d’Affaires «Газпром» — ½ ＣＨＡＲＧＥ\u00a0\u00a0ß İ ﬁ …",
		"Ёлка и\u0306 е\u0308 вы\u0301звали\r\n\r\n\tU.S.",
		"😀🇷🇺 北京 القاهرة 각",
		"=\u0338 a\u0338 \u00b4\u0301 ’\u0301",
	}
	for _, name := range []string{"testdata/en.txt", "testdata/ru.txt"} {
		texts = append(texts, readFile(t, name))
	}
	for _, s := range texts {
		if err := checkOrig(s); err != nil {
			t.Error(err)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("Chargé d’Affaires «Газпром» — ½ ＣＨＡＲＧＥ\u00a0ß")
	f.Add("a\u0301\u0302 \xff\xfe и\u0306")
	f.Fuzz(func(t *testing.T, s string) {
		if err := checkOrig(s); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkNormalize(b *testing.B) {
	s := readFile(b, "testdata/ru.txt")
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Normalize(s)
	}
}
