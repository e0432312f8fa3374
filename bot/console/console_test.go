package console_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alertbot/alertbot/bot"
	"github.com/alertbot/alertbot/bot/bottest"
	"github.com/alertbot/alertbot/bot/console"
)

var msk = time.FixedZone("MSK", 3*60*60)

func floodAlert() *bot.Alert {
	a := &bot.Alert{
		ID: 8, RuleID: "flood", RuleTitle: "Flood of alerts", Severity: "medium",
		Title: "12 alerts from ТАСС in one poll", Source: "tass-ru", SourceTitle: "ТАСС",
		Raised: time.Date(2024, 2, 3, 22, 30, 0, 0, time.UTC),
	}
	for i := range 12 {
		a.Folded = append(a.Folded, bot.Folded{RuleID: "protest-note", Title: fmt.Sprintf("Нота протеста %d", i+1), URL: fmt.Sprintf("https://example.ru/%d", i+1)})
	}
	return a
}

func TestSend(t *testing.T) {
	tests := []struct {
		name  string
		alert *bot.Alert
		opts  []console.Option
		want  string
	}{
		{
			name:  "Plain",
			alert: bottest.SampleAlert(),
			opts:  []console.Option{console.WithLocation(msk)},
			want: "HIGH Diplomat summoned · diplomat-summoned\n" +
				"  Iraq summons US chargé d'affaires over strikes <https://example.org/news/1>\n" +
				"  Iraq's foreign ministry on Saturday summoned the US chargé d'affaires in Baghdad and handed her a note of protest over the overnight strikes.\n" +
				"  IQ, US · TASS · 2024-02-03 14:05 UTC · 17:05 MSK\n" +
				"\n",
		},
		{
			name:  "Colour",
			alert: bottest.SampleAlert(),
			opts:  []console.Option{console.WithLocation(msk), console.WithColor(true)},
			want: "\x1b[1;31mHIGH\x1b[0m \x1b[1mDiplomat summoned\x1b[0m · \x1b[2mdiplomat-summoned\x1b[0m\n" +
				"  Iraq summons US chargé d'affaires over strikes <\x1b[4mhttps://example.org/news/1\x1b[0m>\n" +
				"  Iraq's foreign ministry on Saturday \x1b[1msummoned\x1b[0m the US \x1b[1mchargé d'affaires\x1b[0m in Baghdad and handed her a note of protest over the overnight strikes.\n" +
				"  IQ, US · TASS · 2024-02-03 14:05 UTC · 17:05 MSK\n" +
				"\n",
		},
		{
			name:  "FloodSummary",
			alert: floodAlert(),
			opts:  []console.Option{console.WithLocation(msk)},
			want: "MEDIUM Flood of alerts · flood\n" +
				"  12 alerts from ТАСС in one poll\n" +
				"  • protest-note: Нота протеста 1 <https://example.ru/1>\n" +
				"  • protest-note: Нота протеста 2 <https://example.ru/2>\n" +
				"  • protest-note: Нота протеста 3 <https://example.ru/3>\n" +
				"  • protest-note: Нота протеста 4 <https://example.ru/4>\n" +
				"  • protest-note: Нота протеста 5 <https://example.ru/5>\n" +
				"  • protest-note: Нота протеста 6 <https://example.ru/6>\n" +
				"  • protest-note: Нота протеста 7 <https://example.ru/7>\n" +
				"  • protest-note: Нота протеста 8 <https://example.ru/8>\n" +
				"  • protest-note: Нота протеста 9 <https://example.ru/9>\n" +
				"  • protest-note: Нота протеста 10 <https://example.ru/10>\n" +
				"  • and 2 more\n" +
				"  ТАСС · 2024-02-03 22:30 UTC · 2024-02-04 01:30 MSK\n" +
				"\n",
		},
		{
			name: "ControlCharactersNeutralised",
			alert: &bot.Alert{
				RuleID: "x", Severity: "low", Title: "Breaking\x1b[2J\x1b]8;;https://evil\x07 news\u202e", URL: "https://example.org/\x1b[31m",
				Snippet: bot.Snippet{Text: "a\x1b[0mb\rc"},
			},
			opts: []console.Option{console.WithLocation(nil)},
			want: "LOW x\n" +
				"  Breaking [2J ]8;;https://evil news  <https://example.org/ [31m>\n" +
				"  a [0mb c\n" +
				"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			c := console.New(&buf, tt.opts...)
			if err := c.Send(context.Background(), "console", tt.alert); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("output =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestColourDetection(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer devNull.Close()
	if st, err := devNull.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Skipf("%s is not a character device here", os.DevNull)
	}
	file, err := os.Create(t.TempDir() + "/out.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()

	tests := []struct {
		name    string
		w       *os.File
		noColor string
		term    string
		opts    []console.Option
		want    bool
	}{
		{"CharDevice", devNull, "", "xterm", nil, true},
		{"RegularFile", file, "", "xterm", nil, false},
		{"NoColor", devNull, "1", "xterm", nil, false},
		{"EmptyNoColor", devNull, "", "xterm", nil, true},
		{"DumbTerminal", devNull, "", "dumb", nil, false},
		{"ForcedOn", file, "1", "dumb", []console.Option{console.WithColor(true)}, true},
		{"ForcedOff", devNull, "", "xterm", []console.Option{console.WithColor(false)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.noColor)
			t.Setenv("TERM", tt.term)
			c := console.New(tt.w, tt.opts...)
			if got := strings.Contains(c.Render(bottest.SampleAlert()), "\x1b["); got != tt.want {
				t.Errorf("colour = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSendNoColourIntoBuffer(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "xterm-256color")
	var buf bytes.Buffer
	if err := console.New(&buf).Send(context.Background(), "console", bottest.SampleAlert()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Errorf("colour codes written to a buffer: %q", buf.String())
	}
}

func TestSendConcurrentAlertsStayWhole(t *testing.T) {
	var buf bytes.Buffer
	c := console.New(&buf, console.WithLocation(msk))
	one := c.Render(bottest.SampleAlert())
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := c.Send(context.Background(), "console", bottest.SampleAlert()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got, want := buf.String(), strings.Repeat(one, 20); got != want {
		t.Errorf("concurrent output is not 20 whole alerts:\n%s", got)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSendErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if err := console.New(&buf).Send(ctx, "console", bottest.SampleAlert()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	if buf.Len() != 0 {
		t.Errorf("cancelled send wrote %q", buf.String())
	}
	err := console.New(failingWriter{}).Send(context.Background(), "console", bottest.SampleAlert())
	if err == nil || !strings.HasPrefix(err.Error(), "console: send alert 7: ") {
		t.Errorf("write error: err = %v", err)
	}
}
