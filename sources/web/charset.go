package web

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

var bomUTF8 = []byte{0xEF, 0xBB, 0xBF}

// toUTF8 returns an HTML page as UTF-8. The encoding is, in order:
//
//  1. a byte order mark;
//  2. UTF-8 when the bytes are valid UTF-8, whatever the labels say (a
//     Cyrillic page in windows-1251 is almost never valid UTF-8 by chance,
//     and an ASCII page reads the same in every label);
//  3. the charset of the Content-Type header, unless it says UTF-8 (the
//     bytes just proved it wrong);
//  4. the page's <meta charset> or <meta http-equiv="Content-Type"> within
//     its first 1024 bytes, as browsers look for it;
//  5. windows-1252, what browsers assume.
//
// Bytes the encoding cannot read become U+FFFD.
func toUTF8(body []byte, contentType string) []byte {
	if bytes.HasPrefix(body, bomUTF8) {
		body = body[len(bomUTF8):]
	} else if !utf8.Valid(body) {
		enc, name, _ := charset.DetermineEncoding(body, contentType)
		if name == "utf-8" {
			enc, name, _ = charset.DetermineEncoding(body, "")
		}
		if name != "utf-8" && name != "replacement" {
			if out, err := enc.NewDecoder().Bytes(body); err == nil {
				body = out
			}
		}
	}
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return bytes.TrimPrefix(body, bomUTF8) // a UTF-16 page's BOM, decoded
}
