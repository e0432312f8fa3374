package text

import "testing"

func TestParseLang(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
	}{
		{"en", English},
		{"EN", English},
		{"en-US", English},
		{"en_GB", English},
		{"ru", Russian},
		{"ru_RU", Russian},
		{"ru-RU", Russian},
		{"fr", French},
		{"fr-CA", French},
		{"es", Spanish},
		{"es-419", Spanish},
		{"de", German},
		{"de-AT", German},
		{"", Unknown},
		{"uk", Unknown},
		{"eng", Unknown},
		{"english", Unknown},
		{"e", Unknown},
		{"-en", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ParseLang(tt.in); got != tt.want {
				t.Errorf("ParseLang(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestLangString(t *testing.T) {
	tests := []struct {
		in   Lang
		want string
	}{
		{Unknown, ""},
		{English, "en"},
		{Russian, "ru"},
		{French, "fr"},
		{Spanish, "es"},
		{German, "de"},
		{NumLangs, ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("Lang(%d).String() = %q, want %q", tt.in, got, tt.want)
			}
			if tt.want != "" {
				if got := ParseLang(tt.want); got != tt.in {
					t.Errorf("ParseLang(%q) = %v, want %v", tt.want, got, tt.in)
				}
			}
		})
	}
}

func TestTokenLang(t *testing.T) {
	tests := []struct {
		name string
		word string
		doc  Lang
		want Lang
	}{
		{"cyrillic in english", "посол", English, Russian},
		{"cyrillic in unknown", "посол", Unknown, Russian},
		{"cyrillic in russian", "посол", Russian, Russian},
		{"latin in english", "envoy", English, English},
		{"latin in russian", "envoy", Russian, English},
		{"latin in unknown", "envoy", Unknown, English},
		{"latin in french", "ambassadeur", French, French},
		{"latin in spanish", "embajador", Spanish, Spanish},
		{"latin in german", "botschafter", German, German},
		{"latin extended", "łodz", French, French},
		{"digits", "2024", English, Unknown},
		{"decimal", "3.5", Russian, Unknown},
		{"digits then latin", "5g", Russian, English},
		{"digits then cyrillic", "5г", English, Russian},
		{"greek", "αθηνα", English, Unknown},
		{"chinese", "北京", Russian, Unknown},
		{"arabic", "القاهرة", English, Unknown},
		{"apostrophe first", "'n", Spanish, Spanish},
		{"empty", "", English, Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TokenLang(tt.word, tt.doc); got != tt.want {
				t.Errorf("TokenLang(%q, %v) = %v, want %v", tt.word, tt.doc, got, tt.want)
			}
		})
	}
}
