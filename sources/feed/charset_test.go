package feed

import (
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func mustEncode(s string, enc *charmap.Charmap) string {
	b, err := enc.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestToUTF8(t *testing.T) {
	const ru = "<rss><title>Небензя</title></rss>"
	cp1251 := mustEncode(ru, charmap.Windows1251)
	koi8 := mustEncode(ru, charmap.KOI8R)
	tests := []struct {
		name        string
		body        string
		contentType string
		want        string
	}{
		{"utf-8, no labels", ru, "", ru},
		{"utf-8 prolog kept without encoding", `<?xml version="1.0" encoding="UTF-8"?>` + ru, "", `<?xml version="1.0"?>` + ru},
		{"single-quoted encoding", `<?xml version='1.0' encoding='utf-8' standalone='yes'?>` + ru, "", `<?xml version='1.0' standalone='yes'?>` + ru},
		{"utf-8 bom", "\xEF\xBB\xBF" + ru, "", ru},
		{"leading white space", "\r\n  " + ru, "", ru},
		{"header charset only", cp1251, "application/rss+xml; charset=windows-1251", ru},
		{"header charset quoted", cp1251, `text/xml; charset="cp1251"`, ru},
		{"prolog charset only", `<?xml version="1.0" encoding="windows-1251"?>` + cp1251, "", `<?xml version="1.0"?>` + ru},
		{"prolog beats header", `<?xml version="1.0" encoding="koi8-r"?>` + koi8, "text/xml; charset=windows-1251", `<?xml version="1.0"?>` + ru},
		{"prolog says utf-8, header right", `<?xml version="1.0" encoding="utf-8"?>` + cp1251, "text/xml; charset=windows-1251", `<?xml version="1.0"?>` + ru},
		{"prolog says utf-16 without bom", `<?xml version="1.0" encoding="utf-16"?>` + cp1251, "text/xml; charset=windows-1251", `<?xml version="1.0"?>` + ru},
		{"valid utf-8 beats labels", `<?xml version="1.0" encoding="windows-1251"?>` + ru, "text/xml; charset=koi8-r", `<?xml version="1.0"?>` + ru},
		{"unknown label, latin-1 bytes", `<?xml version="1.0" encoding="bogus"?><t>caf` + "\xe9" + `</t>`, "", `<?xml version="1.0"?><t>café</t>`},
		{"no label, latin-1 bytes", "<t>Ant\xf3nio</t>", "text/xml", "<t>António</t>"},
		{"no label, mostly utf-8 with a stray byte", "<t>Небензя \xff</t>", "", "<t>Небензя \uFFFD</t>"},
		{"not xml", "{\"title\":\"x\"}", "application/json", "{\"title\":\"x\"}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toUTF8([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("toUTF8 = %q, want %q", got, tt.want)
			}
		})
	}
}
