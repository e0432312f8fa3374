package text

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// words formats tokens as "norm@start:end", space separated.
func words(toks []Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s@%d:%d", t.Norm, t.Start, t.End)
	}
	return b.String()
}

// sentences formats tokens as their norms, with " | " between sentences.
func sentences(toks []Token) string {
	var b strings.Builder
	for i, t := range toks {
		switch {
		case i == 0:
		case t.Sentence != toks[i-1].Sentence:
			b.WriteString(" | ")
		default:
			b.WriteByte(' ')
		}
		b.WriteString(t.Norm)
	}
	return b.String()
}

func TestAnalyzeWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"english", "Russia’s envoy, summoned.", "russia's@0:10 envoy@11:16 summoned@18:26"},
		{"russian", "Посла вызвали в МИД", "посла@0:10 вызвали@11:25 в@26:28 мид@29:35"},
		{"mixed", "Глава Pfizer — CEO", "глава@0:10 pfizer@11:17 ceo@22:25"},
		{"emoji", "мир😀war 🇷🇺Russia", "мир@0:6 war@10:13 russia@22:28"},
		{"hyphens", "US-led пресс-секретарь well‑known", "us@0:2 led@3:6 пресс@7:17 секретарь@18:36 well@37:41 known@44:49"},
		{"dashes", "2020–2022 a—b", "2020@0:4 2022@7:11 a@12:13 b@16:17"},
		{"digits", "3.5 bn, 1,000 troops, 10.", "3.5@0:3 bn@4:6 1,000@8:13 troops@14:20 10@22:24"},
		{"digit separators not joined", "1, 2 .5 3,a", "1@0:1 2@3:4 5@6:7 3@8:9 a@10:11"},
		{"acronym", "the U.S. side", "the@0:3 us@4:7 side@9:13"},
		{"dotted words", "e.g. example.com", "eg@0:3 example.com@5:16"},
		{"apostrophe only between letters", "'quoted' rock'n'roll 90's l'", "quoted@1:7 rock'n'roll@9:20 90@21:23 s@24:25 l@26:27"},
		{"nfd accent", "charge\u0301 d’affaires", "charge@0:8 d'affaires@9:21"},
		{"combining mark after space", "a \u0301b", "a@0:1 b@4:5"},
		{"soft hyphen", "ad\u00adminis\u00ad tration", "adminis@0:9 tration@12:19"},
		{"full width", "ＵＳ－ＵＫ", "us@0:6 uk@9:15"},
		{"no words", " ,.;— ", ""},
		{"propaganda", "propaganda pagan", "propaganda@0:10 pagan@11:16"},
	}
	a := NewAnalyzer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := words(a.Analyze(nil, tt.in, English)); got != tt.want {
				t.Errorf("Analyze(%q) =\n%s\nwant\n%s", tt.in, got, tt.want)
			}
		})
	}
}

// TestWholeWords checks that a word inside another word is not a token.
func TestWholeWords(t *testing.T) {
	a := NewAnalyzer()
	for _, tok := range a.Analyze(nil, "Kremlin propaganda, пропаганда", English) {
		if tok.Norm == "pagan" || tok.Stem == "pagan" || tok.Norm == "ган" {
			t.Errorf("token %q found inside a longer word", tok.Norm)
		}
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"simple", "He left. She stayed! Why? Nobody knows… The end.", "he left | she stayed | why | nobody knows | the end"},
		{"lower case after period", "He left. she stayed.", "he left she stayed"},
		{"acronym mid-sentence", "The U.S. Senate voted. Then it adjourned.", "the us senate voted | then it adjourned"},
		{"acronym before capital", "Troops left the U.S. The end.", "troops left the us the end"},
		{"abbreviation", "Mr. Smith met Gen. Jones on Dec. 5. Both left.", "mr smith met gen jones on dec 5 | both left"},
		{"russian abbreviation", "Он родился в 1952 г. в Ленинграде. В г. Москве тепло.", "он родился в 1952 г в ленинграде | в г москве тепло"},
		{"russian initials", "В. В. Путин и Д.А. Медведев приехали. Всё.", "в в путин и да медведев приехали | все"},
		{"english initials", "J. K. Rowling wrote. It sold.", "j k rowling wrote | it sold"},
		{"closing quote", "He said: «Нет». Потом ушёл.", "he said нет | потом ушел"},
		{"quote after period", "He said \"never.\" Then left.", "he said never | then left"},
		{"opening quote", "It ended. «Всё», — сказал он.", "it ended | все сказал он"},
		{"bracket", "It ended. (See below.) Done.", "it ended | see below | done"},
		{"digit", "Prices rose. 5 firms closed.", "prices rose | 5 firms closed"},
		{"newline", "Headline without stop\nBody text here", "headline without stop | body text here"},
		{"blank lines", "Title\r\n\r\nBody.", "title | body"},
		{"no space", "Version 2.0 is out.Next", "version 2.0 is out.next"},
		{"ellipsis run", "Wait... What?! Really?", "wait | what | really"},
		{"decimal", "It grew 3.5 percent.", "it grew 3.5 percent"},
		{"dash after period", "It ended. — Why?", "it ended why"},
	}
	a := NewAnalyzer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sentences(a.Analyze(nil, tt.in, English)); got != tt.want {
				t.Errorf("Analyze(%q) =\n%s\nwant\n%s", tt.in, got, tt.want)
			}
		})
	}
}

func TestAnalyzeTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		lang Lang
		want string // norm/stem/lang per token
	}{
		{"english", "Russia's envoy was summoned", English, "russia's/russia/en envoy/envoy/en was/was/en summoned/summon/en"},
		{"russian", "Поверенного вызвали, посла США", Russian, "поверенного/поверен/ru вызвали/вызва/ru посла/посл/ru сша/сша/ru"},
		{"latin in russian", "Компания Pfizer announced", Russian, "компания/компан/ru pfizer/pfizer/en announced/announc/en"},
		{"latin in french", "Les négociations", French, "les/le/fr negociations/negoci/fr"},
		{"german unstemmed", "Die Verhandlungen", German, "die/die/de verhandlungen/verhandlungen/de"},
		{"unknown doc", "Talks ended", Unknown, "talks/talk/en ended/end/en"},
		{"digits and greek", "2024 Αθήνα", English, "2024/2024/ αθηνα/αθηνα/"},
	}
	a := NewAnalyzer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var parts []string
			for _, tok := range a.Analyze(nil, tt.in, tt.lang) {
				parts = append(parts, tok.Norm+"/"+tok.Stem+"/"+tok.Lang.String())
			}
			if got := strings.Join(parts, " "); got != tt.want {
				t.Errorf("Analyze(%q, %v) =\n%s\nwant\n%s", tt.in, tt.lang, got, tt.want)
			}
		})
	}
}

// TestAnalyzeAppends checks that Analyze appends to dst and numbers
// sentences of each text from 0.
func TestAnalyzeAppends(t *testing.T) {
	a := NewAnalyzer()
	dst := a.Analyze(nil, "One. Two.", English)
	dst = a.Analyze(dst, "Three. Four", English)
	var parts []string
	for _, tok := range dst {
		parts = append(parts, fmt.Sprintf("%s/%d@%d", tok.Norm, tok.Sentence, tok.Start))
	}
	if got, want := strings.Join(parts, " "), "one/0@0 two/1@5 three/0@0 four/1@7"; got != want {
		t.Errorf("tokens = %s, want %s", got, want)
	}
}

// TestAnalyzeConcurrent runs one Analyzer from many goroutines; run it
// with -race.
func TestAnalyzeConcurrent(t *testing.T) {
	a := NewAnalyzer()
	texts := []string{"Посла вызвали в МИД.", "The envoy was summoned.", "Les négociations ont échoué."}
	want := make([]string, len(texts))
	for i, s := range texts {
		want[i] = words(NewAnalyzer().Analyze(nil, s, English))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var toks []Token
			for i := range 200 {
				k := (g + i) % len(texts)
				toks = a.Analyze(toks[:0], texts[k], English)
				if got := words(toks); got != want[k] {
					t.Errorf("Analyze(%q) = %s, want %s", texts[k], got, want[k])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestZeroAnalyzer checks that the zero Analyzer works.
func TestZeroAnalyzer(t *testing.T) {
	var a Analyzer
	toks := a.Analyze(nil, "summoned", English)
	if got, want := toks[0].Stem, "summon"; got != want {
		t.Errorf("Stem = %q, want %q", got, want)
	}
}

func readFile(tb testing.TB, name string) string {
	tb.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// FuzzAnalyze checks the invariants of tokens: offsets in bounds and in
// order, sentences in order, Norm non-empty and equal to Fold of the word,
// and that folding twice changes nothing.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"Chargé d’Affaires of the U.S. was summoned. Then he left.",
		"Временного поверенного вызвали в МИД. В. В. Путин в г. Москве.",
		"3.5 1,000 US-led 😀 ＣＨＡＲＧＥ charge\u0301 \u00ad\u0301 ''. \n",
		readFile(f, "testdata/en.txt"),
		readFile(f, "testdata/ru.txt"),
	} {
		f.Add(s, uint8(English))
	}
	a := NewAnalyzer()
	f.Fuzz(func(t *testing.T, s string, lang uint8) {
		toks := a.Analyze(nil, s, Lang(lang%NumLangs))
		end, sentence := int32(0), int32(0)
		for i, tok := range toks {
			if tok.Start < end || tok.Start >= tok.End || int(tok.End) > len(s) {
				t.Fatalf("token %d %q at %d:%d after %d, len %d", i, tok.Norm, tok.Start, tok.End, end, len(s))
			}
			if tok.Sentence < sentence {
				t.Fatalf("token %d %q in sentence %d after %d", i, tok.Norm, tok.Sentence, sentence)
			}
			if tok.Norm == "" || tok.Stem == "" {
				t.Fatalf("token %d at %d:%d: Norm %q, Stem %q", i, tok.Start, tok.End, tok.Norm, tok.Stem)
			}
			if w := s[tok.Start:tok.End]; Fold(w) != tok.Norm {
				t.Fatalf("token %d: Fold(%q) = %q, Norm %q", i, w, Fold(w), tok.Norm)
			}
			if f := Fold(tok.Norm); f != tok.Norm {
				t.Fatalf("token %d: Fold(Norm %q) = %q", i, tok.Norm, f)
			}
			end, sentence = tok.End, tok.Sentence
		}
		if f := Fold(s); Fold(f) != f {
			t.Fatalf("Fold(%q) = %q, Fold of that = %q", s, f, Fold(f))
		}
	})
}

func BenchmarkAnalyze(b *testing.B) {
	for _, bc := range []struct {
		name string
		file string
		lang Lang
	}{
		{"en", "testdata/en.txt", English},
		{"ru", "testdata/ru.txt", Russian},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := readFile(b, bc.file)
			a := NewAnalyzer()
			toks := a.Analyze(nil, s, bc.lang) // warm the stem cache
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				toks = a.Analyze(toks[:0], s, bc.lang)
			}
		})
	}
}

func BenchmarkAnalyzeParallel(b *testing.B) {
	s := readFile(b, "testdata/ru.txt")
	a := NewAnalyzer()
	a.Analyze(nil, s, Russian)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var toks []Token
		for pb.Next() {
			toks = a.Analyze(toks[:0], s, Russian)
		}
	})
}
