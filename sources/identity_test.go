package sources

import (
	"strings"
	"testing"
)

func TestCleanURL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"already clean", "https://press.un.org/en/2024/sc15577.doc.htm", "https://press.un.org/en/2024/sc15577.doc.htm"},
		{"empty", "", ""},
		{"white space", "  https://tass.ru/politika/19888001 \n", "https://tass.ru/politika/19888001"},
		{"scheme and host lower-cased, path kept", "HTTPS://Press.UN.org/En/Doc.htm", "https://press.un.org/En/Doc.htm"},
		{"default https port", "https://mid.ru:443/ru/", "https://mid.ru/ru/"},
		{"default http port", "http://mid.ru:80/ru/", "http://mid.ru/ru/"},
		{"other port kept", "https://mid.ru:8443/ru/", "https://mid.ru:8443/ru/"},
		{"empty path", "https://www.gov.uk", "https://www.gov.uk/"},
		{"fragment", "https://news.un.org/en/story/2024/02/1146137#comments", "https://news.un.org/en/story/2024/02/1146137"},
		{"utm parameters", "https://news.un.org/en/story/1?utm_source=UN+News&utm_medium=rss&utm_campaign=x", "https://news.un.org/en/story/1"},
		{"utm in upper case", "https://x.org/a?UTM_Source=rss&id=4", "https://x.org/a?id=4"},
		{"click ids", "https://x.org/a?fbclid=IwAR&gclid=Cj0&yclid=1&msclkid=2&id=7", "https://x.org/a?id=7"},
		{"mailchimp and instagram", "https://x.org/a?mc_cid=1&mc_eid=2&igshid=3", "https://x.org/a"},
		{"referral markers", "https://x.org/a?ref=rss&rss=1&cmpid=RSS&ocid=msn&at_medium=RSS&at_campaign=KARANGA", "https://x.org/a"},
		{"parameters sorted", "https://x.org/search?q=iraq&page=2&lang=ru", "https://x.org/search?lang=ru&page=2&q=iraq"},
		{"repeated parameter keeps value order", "https://x.org/a?tag=b&id=1&tag=a", "https://x.org/a?id=1&tag=b&tag=a"},
		{"value encoding kept", "https://x.org/a?q=%D0%BC%D0%B8%D0%B4&utm_source=x", "https://x.org/a?q=%D0%BC%D0%B8%D0%B4"},
		{"semicolon in a value", "https://x.org/a?b=1;2&utm_source=x&a=3", "https://x.org/a?a=3&b=1;2"},
		{"empty pairs and trailing question mark", "https://x.org/a?&&utm_source=x&", "https://x.org/a"},
		{"only tracking", "https://x.org/a?utm_source=x", "https://x.org/a"},
		{"legitimate look-alikes kept", "https://x.org/a?reference=1&rsstype=2&atlas=3", "https://x.org/a?atlas=3&reference=1&rsstype=2"},
		{"relative link", "/en/2024/sc15577.doc.htm?utm_source=x#top", "/en/2024/sc15577.doc.htm"},
		{"unparsable kept", "http://[::1", "http://[::1"},
		{"non-http scheme", "tag:diplomatie.gouv.fr,2024:article-1", "tag:diplomatie.gouv.fr,2024:article-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanURL(tt.in); got != tt.want {
				t.Errorf("CleanURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIdentity(t *testing.T) {
	hash := ContentHash("Iraq summons US chargé d'affaires", "Baghdad handed a note of protest.")
	tests := []struct {
		name                    string
		guid, link, title, text string
		want                    string
	}{
		{"guid", "sc15577", "https://press.un.org/en/2024/sc15577.doc.htm", "t", "x", "sc15577"},
		{"guid trimmed", "  sc15577\n", "", "", "", "sc15577"},
		{"guid that is a url kept as written", "https://x.org/a?utm_source=rss", "", "", "", "https://x.org/a?utm_source=rss"},
		{"blank guid: link", " ", "https://x.org/a?utm_source=rss#top", "t", "x", "https://x.org/a"},
		{"no guid or link: hash", "", "", "Iraq summons US chargé d'affaires", "Baghdad handed a note of protest.", hash},
		{"hash ignores white space", "", "  ", " Iraq  summons US\u00a0chargé d'affaires ", "Baghdad handed\na note of protest.\n", hash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Identity(tt.guid, tt.link, tt.title, tt.text); got != tt.want {
				t.Errorf("Identity(%q, %q, %q, %q) = %q, want %q", tt.guid, tt.link, tt.title, tt.text, got, tt.want)
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	h := ContentHash("Security Council meets", "On Monday.")
	if !strings.HasPrefix(h, "sha256:") || len(h) != len("sha256:")+64 {
		t.Errorf("ContentHash = %q, want sha256: and 64 hex digits", h)
	}
	tests := []struct {
		name        string
		title, text string
		same        bool
	}{
		{"identical", "Security Council meets", "On Monday.", true},
		{"white space differs", "Security  Council\tmeets ", "\nOn\u00a0Monday.", true},
		{"paragraph break is white space", "Security Council meets", "On\nMonday.", true},
		{"text differs", "Security Council meets", "On Tuesday.", false},
		{"case differs", "security council meets", "On Monday.", false},
		{"words move between title and text", "Security Council", "meets On Monday.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ContentHash(tt.title, tt.text) == h; got != tt.same {
				t.Errorf("ContentHash(%q, %q) == ContentHash of the original: %v, want %v", tt.title, tt.text, got, tt.same)
			}
		})
	}
}
