package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestFetch reads saved sources of each kind, with the settings of
// rules.example.yaml where a kind needs them, and prints their items.
func TestFetch(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		items int
		want  string // in some item's JSON
	}{
		{"rss", []string{"fetch", "-json", "sources/feed/testdata/rss20.xml"}, -1, `"title":`},
		{"telegram preview", []string{"fetch", "-json", "-kind", "telegram", "sources/telegram/testdata/channel.html"}, -1, `"id":"mid_russia/`},
		{"json listing", []string{"fetch", "-json", "-kind", "json", "-source", "usun", "sources/web/testdata/wp_posts.json"}, 5, `"source":"usun"`},
		{"html page", []string{"fetch", "-json", "-kind", "html", "-source", "mid-ru-news", "sources/web/testdata/mid_listing.html"}, -1, `"url":"https://mid.ru/`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "", tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if tt.items >= 0 && len(lines) != tt.items || len(lines) == 0 {
				t.Errorf("%d items, want %d:\n%s", len(lines), tt.items, stdout)
			}
			for _, l := range lines {
				var it itemJSON
				if err := json.Unmarshal([]byte(l), &it); err != nil || it.ID == "" {
					t.Errorf("not an item: %q (%v)", l, err)
				}
			}
			if !strings.Contains(stdout, tt.want) {
				t.Errorf("output lacks %s:\n%s", tt.want, stdout)
			}
		})
	}
	for _, args := range [][]string{
		{"fetch", "-kind", "gopher", "x"},
		{"fetch", "-kind", "html", "https://example.org/not-in-the-config"},
	} {
		if _, stderr, code := runCLI(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, stderr)
		}
	}
}
