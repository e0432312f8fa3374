package telegram

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParsePage checks that ParsePage never panics and keeps its
// promises: an error with the package prefix and no page, or a page whose
// posts have unique ids between Oldest and Newest, normalised valid UTF-8
// text, and a time in UTC; and that title makes a one-line title of it.
func FuzzParsePage(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(message("mid_rf/5", `<div class="tgme_widget_message_text">a<br><a href="https://mid.ru/">b</a></div>`))
	f.Add(message("mid_rf/5", `<a class="tgme_widget_message_reply" href="x/y/z"></a><div class="tgme_widget_message_poll"><div class="tgme_widget_message_poll_question">?</div></div>`))

	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := ParsePage(body, "https://t.me/s/mid_rf")
		if err != nil {
			if page != nil {
				t.Errorf("ParsePage returned a page and error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "telegram: channel ") {
				t.Errorf("error %q lacks the prefix", err)
			}
			if !errors.Is(err, ErrNoPosts) && !errors.Is(err, ErrNoPreview) {
				t.Errorf("error %q is neither ErrNoPosts nor ErrNoPreview", err)
			}
			return
		}
		if page.Oldest <= 0 || page.Oldest > page.Newest {
			t.Errorf("Oldest, Newest = %d, %d", page.Oldest, page.Newest)
		}
		if page.Channel == "" {
			t.Errorf("no channel")
		}
		seen := make(map[int64]bool)
		for _, p := range page.Posts {
			if seen[p.ID] || p.ID < page.Oldest || p.ID > page.Newest {
				t.Errorf("post id %d repeated or outside [%d, %d]", p.ID, page.Oldest, page.Newest)
			}
			seen[p.ID] = true
			if p.Text == "" || !utf8.ValidString(p.Text) || p.Text != strings.TrimSpace(p.Text) || strings.Contains(p.Text, "\n\n") {
				t.Errorf("post %d: text not normalised: %q", p.ID, p.Text)
			}
			if !p.Time.IsZero() && p.Time.Location() != time.UTC {
				t.Errorf("post %d: time %v not in UTC", p.ID, p.Time)
			}
			if p.Permalink == "" {
				t.Errorf("post %d: no permalink", p.ID)
			}
			title := title(p.Text)
			if title == "" || strings.Contains(title, "\n") || !utf8.ValidString(title) || utf8.RuneCountInString(title) > maxTitle+1 {
				t.Errorf("post %d: bad title %q", p.ID, title)
			}
		}
	})
}
