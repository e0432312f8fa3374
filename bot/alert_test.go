package bot_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alertbot/alertbot/bot"
)

// marked shows a snippet with its bold spans in [brackets].
func marked(s bot.Snippet) string {
	var b strings.Builder
	pos := 0
	for _, sp := range s.Bold {
		b.WriteString(s.Text[pos:sp.Start])
		b.WriteString("[" + s.Text[sp.Start:sp.End] + "]")
		pos = sp.End
	}
	b.WriteString(s.Text[pos:])
	return b.String()
}

// spans returns the byte ranges of the first occurrence of each word in
// text.
func spans(t *testing.T, text string, words ...string) []bot.Span {
	t.Helper()
	var out []bot.Span
	for _, w := range words {
		i := strings.Index(text, w)
		if i < 0 {
			t.Fatalf("%q not in text", w)
		}
		out = append(out, bot.Span{Start: i, End: i + len(w)})
	}
	return out
}

const (
	enStory = `Iraq's foreign ministry on Saturday summoned the US chargé d'affaires in Baghdad and handed her a note of protest over the overnight strikes on positions in the west of the country, the ministry said in a statement. Russia asked for an urgent meeting of the UN Security Council on the strikes, its deputy envoy said.`
	ruStory = `МИД Ирака в субботу вызвал временного поверенного в делах США в Багдаде и вручил ей ноту протеста в связи с ночными ударами по позициям на западе страны, говорится в заявлении министерства. Россия запросила срочное заседание Совета Безопасности ООН.`
)

func TestNewSnippet(t *testing.T) {
	long := strings.Repeat("Filler words about nothing in particular. ", 60) +
		"Then the ministry summoned the ambassador of Ruritania. " +
		strings.Repeat("More filler text follows here. ", 60)
	if n := utf8.RuneCountInString(long); n < 4000 {
		t.Fatalf("long text has %d runes", n)
	}
	cjk := strings.Repeat("安理会", 20) + "召开紧急会议" + strings.Repeat("外交部", 20)

	tests := []struct {
		name       string
		text       string
		highlights []bot.Span
		max        int
		want       string // marked()
	}{
		{
			name:       "FitsWhole",
			text:       "Iraq summons US chargé d'affaires",
			highlights: spans(t, "Iraq summons US chargé d'affaires", "summons", "chargé d'affaires"),
			max:        100,
			want:       "Iraq [summons] US [chargé d'affaires]",
		},
		{
			name:       "WhiteSpaceSqueezed",
			text:       "  Iraq\n\nsummons \t US\u00a0chargé\r\nd'affaires  ",
			highlights: []bot.Span{{8, 15}},
			max:        100,
			want:       "Iraq [summons] US chargé d'affaires",
		},
		{
			name:       "HighlightWithSpacesAround",
			text:       "Iraq   summons   US",
			highlights: []bot.Span{{5, 16}},
			max:        100,
			want:       "Iraq [summons] US",
		},
		{
			name: "NoHighlights",
			text: enStory,
			max:  60,
			want: "Iraq's foreign ministry on Saturday summoned the US chargé…",
		},
		{
			name:       "HighlightAtStart",
			text:       enStory,
			highlights: spans(t, enStory, "Iraq's"),
			max:        60,
			want:       "[Iraq's] foreign ministry on Saturday summoned the US chargé…",
		},
		{
			name:       "HighlightInMiddle",
			text:       enStory,
			highlights: spans(t, enStory, "note of protest"),
			max:        80,
			want:       "…and handed her a [note of protest] over the overnight strikes on positions in…",
		},
		{
			name:       "HighlightAtEnd",
			text:       enStory,
			highlights: spans(t, enStory, "deputy envoy"),
			max:        60,
			want:       "…UN Security Council on the strikes, its [deputy envoy] said.",
		},
		{
			name:       "Several",
			text:       enStory,
			highlights: spans(t, enStory, "summoned", "chargé d'affaires", "note of protest", "Security Council"),
			max:        120,
			want:       "Iraq's foreign ministry on Saturday [summoned] the US [chargé d'affaires] in Baghdad and handed her a [note of protest] over…",
		},
		{
			name:       "UnsortedOverlappingOutOfRange",
			text:       enStory,
			highlights: []bot.Span{spans(t, enStory, "note of protest")[0], spans(t, enStory, "summoned the US")[0], spans(t, enStory, "the US chargé")[0], {-5, 0}, {len(enStory) - 1, len(enStory) + 10}, {40, 40}},
			max:        90,
			want:       "…ministry on Saturday [summoned the US chargé] d'affaires in Baghdad and handed her a [note]…",
		},
		{
			name:       "Russian",
			text:       ruStory,
			highlights: spans(t, ruStory, "вызвал", "временного поверенного", "ноту протеста"),
			max:        90,
			want:       "МИД Ирака в субботу [вызвал] [временного поверенного] в делах США в Багдаде и вручил ей [ноту]…",
		},
		{
			name:       "RussianMiddle",
			text:       ruStory,
			highlights: spans(t, ruStory, "Совета Безопасности"),
			max:        70,
			want:       "…Россия запросила срочное заседание [Совета Безопасности] ООН.",
		},
		{
			name:       "MidRuneHighlight",
			text:       "посол вызван",
			highlights: []bot.Span{{1, 3}}, // inside "п" and "о"
			max:        100,
			want:       "[по]сол вызван",
		},
		{
			name:       "Long5000",
			text:       long,
			highlights: spans(t, long, "summoned", "Ruritania"),
			max:        100,
			want:       "…particular. Then the ministry [summoned] the ambassador of [Ruritania]. More filler text follows here.…",
		},
		{
			name:       "NoSpaces",
			text:       cjk,
			highlights: spans(t, cjk, "紧急会议"),
			max:        20,
			want:       "…理会召开[紧急会议]外交部外交部外交部外…",
		},
		{
			name:       "HighlightLongerThanWindow",
			text:       enStory,
			highlights: spans(t, enStory, "handed her a note of protest over the overnight strikes"),
			max:        30,
			want:       "…[handed her a note of protest]…",
		},
		{
			name:       "NoLimit",
			text:       enStory,
			highlights: spans(t, enStory, "urgent"),
			max:        0,
			want:       strings.Replace(enStory, "urgent", "[urgent]", 1),
		},
		{
			name:       "Tiny",
			text:       enStory,
			highlights: spans(t, enStory, "urgent"),
			max:        2,
			want:       "[ur]",
		},
		{
			name: "Empty",
			text: " \n ",
			max:  10,
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := bot.NewSnippet(tt.text, tt.highlights, tt.max)
			if got := marked(s); got != tt.want {
				t.Errorf("NewSnippet =\n%s\nwant\n%s", got, tt.want)
			}
			checkSnippet(t, s, tt.max)
		})
	}
}

// checkSnippet checks what every snippet promises.
func checkSnippet(t *testing.T, s bot.Snippet, max int) {
	t.Helper()
	if !utf8.ValidString(s.Text) {
		t.Errorf("snippet is not valid UTF-8: %q", s.Text)
	}
	if n := utf8.RuneCountInString(s.Text); max > 0 && n > max {
		t.Errorf("snippet has %d runes, max %d", n, max)
	}
	if strings.ContainsAny(s.Text, "\n\r\t") || strings.Contains(s.Text, "  ") {
		t.Errorf("snippet is not one line: %q", s.Text)
	}
	end := 0
	for _, sp := range s.Bold {
		if sp.Start < end || sp.Start >= sp.End || sp.End > len(s.Text) {
			t.Fatalf("bold spans not sorted, disjoint and in the text: %v (len %d)", s.Bold, len(s.Text))
		}
		if !utf8.RuneStart(s.Text[sp.Start]) || sp.End < len(s.Text) && !utf8.RuneStart(s.Text[sp.End]) {
			t.Errorf("bold span %v cuts a rune", sp)
		}
		end = sp.End
	}
}

func TestNewSnippetDoesNotModifyHighlights(t *testing.T) {
	h := []bot.Span{{20, 30}, {0, 5}}
	bot.NewSnippet(enStory, h, 40)
	if h[0] != (bot.Span{20, 30}) || h[1] != (bot.Span{0, 5}) {
		t.Errorf("highlights changed: %v", h)
	}
}

func FuzzNewSnippet(f *testing.F) {
	f.Add(enStory, 40, 60, 80)
	f.Add(ruStory, 3, 10, 50)
	f.Add("a\x00b\xffc  d", 1, 4, 3)
	f.Fuzz(func(t *testing.T, text string, start, end, max int) {
		s := bot.NewSnippet(text, []bot.Span{{start, end}, {end / 2, end}}, max%500)
		checkSnippet(t, s, max%500)
	})
}
