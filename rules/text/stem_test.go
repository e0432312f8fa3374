package text

import (
	"strconv"
	"testing"
)

func TestStem(t *testing.T) {
	tests := []struct {
		word string
		lang Lang
		want string
	}{
		{"поверенного", Russian, "поверен"},
		{"поверенную", Russian, "поверен"},
		{"поверенный", Russian, "поверен"},
		{"временную", Russian, "времен"},
		{"временного", Russian, "времен"},
		{"посла", Russian, "посл"},
		{"послов", Russian, "посл"},
		{"вызван", Russian, "вызва"},
		{"вызвали", Russian, "вызва"},
		{"й", Russian, "й"},
		{"summoned", English, "summon"},
		{"summons", English, "summon"},
		{"summon", English, "summon"},
		{"russia's", English, "russia"},
		{"sanctions", English, "sanction"},
		{"the", English, "the"},
		{"us", English, "us"},
		{"negociations", French, "negoci"},
		{"embajadores", Spanish, "embaj"},
		{"verhandlungen", German, "verhandlungen"},
		{"envoys", Unknown, "envoys"},
		{"", English, ""},
	}
	a := NewAnalyzer()
	for _, tt := range tests {
		t.Run(tt.lang.String()+"/"+tt.word, func(t *testing.T) {
			// Twice: computed, then cached.
			for range 2 {
				if got := a.Stem(tt.word, tt.lang); got != tt.want {
					t.Errorf("Stem(%q, %v) = %q, want %q", tt.word, tt.lang, got, tt.want)
				}
			}
		})
	}
}

// TestStemQueryMatchesText checks that a query word, folded and stemmed,
// meets the forms of the word in a text.
func TestStemQueryMatchesText(t *testing.T) {
	tests := []struct {
		query string
		text  string
		lang  Lang
	}{
		{"поверенный", "Временного поверенного и поверенную вызвали", Russian},
		{"summon", "The envoy was summoned; the summons came late", English},
		{"Russia", "Russia’s ministry", English},
		{"вызвали", "Посла вызван в МИД", Russian},
		{"chargé", "the CHARGE d'affaires", English},
	}
	a := NewAnalyzer()
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q := Fold(tt.query)
			want := a.Stem(q, TokenLang(q, tt.lang))
			found := 0
			for _, tok := range a.Analyze(nil, tt.text, tt.lang) {
				if tok.Stem == want {
					found++
				}
			}
			if found == 0 {
				t.Errorf("stem %q of %q not in %q", want, tt.query, tt.text)
			}
		})
	}
}

// TestStemCacheBound checks that a full cache starts again.
func TestStemCacheBound(t *testing.T) {
	if testing.Short() {
		t.Skip("stems many words")
	}
	a := NewAnalyzer()
	for i := range maxStems + 10 {
		a.Stem("word"+strconv.Itoa(i), German+1) // no stemmer: not cached
		a.Stem("word"+strconv.Itoa(i), English)
	}
	c := &a.stems[English]
	if got, want := len(c.m), 10; got != want {
		t.Errorf("cache size = %d, want %d", got, want)
	}
	if got, want := a.Stem("words", English), "word"; got != want {
		t.Errorf("Stem after reset = %q, want %q", got, want)
	}
}
