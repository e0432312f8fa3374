package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alertbot/alertbot/rules"
)

// itemJSON is the item shape of DESIGN.md §3: one per line in .jsonl input.
type itemJSON struct {
	ID        string    `json:"id"`
	Source    string    `json:"source,omitempty"`
	URL       string    `json:"url,omitempty"`
	Title     string    `json:"title,omitempty"`
	Text      string    `json:"text,omitempty"`
	Lang      string    `json:"lang,omitempty"`
	Published time.Time `json:"published,omitzero"`
}

// matchJSON is the match shape of DESIGN.md §3: one line per (item, rule).
type matchJSON struct {
	ItemID     string            `json:"item_id"`
	RuleID     string            `json:"rule_id"`
	Ruleset    string            `json:"ruleset"`
	Severity   rules.Severity    `json:"severity"`
	Highlights []rules.Highlight `json:"highlights"`
	Countries  []string          `json:"countries"`
}

func runMatch(e *env, args []string) int {
	fs, config := e.flags("match")
	asJSON := fs.Bool("json", false, "print one JSON object per line per (item, rule)")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(e.stderr, "alertbot match: name at least one FILE, or - for standard input")
		return exitUsage
	}
	_, lib, ok := e.loadLibrary(*config)
	if !ok {
		return exitFail
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	code := exitOK
	for _, name := range fs.Args() {
		err := readDocuments(e.stdin, name, func(d *rules.Document) {
			ms := lib.Matcher.Match(d)
			if *asJSON {
				writeMatchesJSON(out, d, ms)
			} else {
				writeMatches(out, d, ms)
			}
		})
		if err != nil {
			out.Flush()
			e.printErrors(err)
			code = exitFail
		}
	}
	return code
}

// readDocuments calls f for each document in the named input: a .txt file
// (the first line is the title, the rest the text), a .jsonl file or "-"
// (one item per line). A bad line is reported and the rest still read.
func readDocuments(stdin io.Reader, name string, f func(*rules.Document)) error {
	if name == "-" {
		return readJSONL(stdin, "stdin", f)
	}
	file, err := os.Open(name)
	if err != nil {
		return err
	}
	defer file.Close()
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return readJSONL(file, name, f)
	case ".txt", ".text", "":
		data, err := io.ReadAll(file)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		title, body, _ := strings.Cut(string(data), "\n")
		id := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		f(&rules.Document{ID: id, Title: strings.TrimSpace(title), Text: body})
		return nil
	}
	return fmt.Errorf("%s: unknown input type %q (want .txt, .jsonl or -)", name, filepath.Ext(name))
}

func readJSONL(r io.Reader, name string, f func(*rules.Document)) error {
	var errs []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var it itemJSON
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&it); err != nil {
			errs = append(errs, fmt.Sprintf("%s:%d: %v", name, line, err))
			continue
		}
		if it.ID == "" || (it.Title == "" && it.Text == "") {
			errs = append(errs, fmt.Sprintf("%s:%d: an item needs an id and a title or text", name, line))
			continue
		}
		f(&rules.Document{ID: it.ID, Source: it.Source, Lang: it.Lang, Title: it.Title, Text: it.Text})
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Sprintf("%s: %v", name, err))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

func writeMatchesJSON(w io.Writer, d *rules.Document, ms []rules.Match) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, m := range ms {
		enc.Encode(matchJSON{
			ItemID: d.ID, RuleID: m.Rule.ID, Ruleset: m.Rule.Ruleset, Severity: m.Rule.Severity,
			Highlights: m.Highlights, Countries: nonNil(m.Countries),
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeMatches prints, for people, each rule that matched d and the words
// that made it match, in context.
func writeMatches(w io.Writer, d *rules.Document, ms []rules.Match) {
	head := d.Title
	if head == "" {
		head = firstLine(d.Text)
	}
	fmt.Fprintf(w, "%s: %s\n", d.ID, clip(head, 100))
	if len(ms) == 0 {
		fmt.Fprintln(w, "  no rule matched")
	}
	for _, m := range ms {
		fmt.Fprintf(w, "  %s [%s] %s (rule set %s)\n", m.Rule.ID, m.Rule.Severity, m.Rule.Title, m.Rule.Ruleset)
		for _, h := range m.Highlights {
			src := d.Title
			if h.Field == "text" {
				src = d.Text
			}
			fmt.Fprintf(w, "    %s %d-%d: %s\n", h.Field, h.Start, h.End, inContext(src, h))
		}
		if len(m.Countries) > 0 {
			fmt.Fprintf(w, "    countries: %s\n", strings.Join(m.Countries, " "))
		}
	}
}

// inContext shows the highlighted span with up to 40 bytes around it,
// cut at word boundaries and kept on one line.
func inContext(src string, h rules.Highlight) string {
	from := max(0, h.Start-40)
	if i := strings.IndexByte(src[from:h.Start], ' '); from > 0 && i >= 0 {
		from += i + 1
	}
	to := min(len(src), h.End+40)
	if i := strings.LastIndexByte(src[h.End:to], ' '); to < len(src) && i >= 0 {
		to = h.End + i
	}
	s := src[from:h.Start] + "«" + h.Text + "»" + src[h.End:to]
	s = strings.Join(strings.Fields(s), " ")
	if from > 0 {
		s = "…" + s
	}
	if to < len(src) {
		s += "…"
	}
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
