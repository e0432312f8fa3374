package feed

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// toUTF8 returns body as UTF-8 without a byte order mark, without leading
// white space and without an encoding declaration in its XML prolog, so that
// gofeed neither guesses nor converts a second time. The encoding is chosen
// in this order:
//
//  1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE);
//  2. UTF-8 when the bytes are valid UTF-8, whatever the labels say: a
//     Cyrillic or Latin-1 text is almost never valid UTF-8 by chance, so
//     valid bytes mean a wrong label (an ASCII-only body reads the same in
//     every label we accept);
//  3. the prolog's encoding="…", unless it names UTF-8 or UTF-16 (it is
//     wrong then: the bytes are not UTF-8, and a UTF-16 prolog could not have
//     been read as ASCII);
//  4. the charset of the HTTP Content-Type, with the same exceptions;
//  5. no usable label: UTF-8 with invalid bytes replaced by U+FFFD when the
//     body holds valid multi-byte sequences (a mostly-UTF-8 feed with a stray
//     byte), windows-1252 otherwise (what browsers assume).
func toUTF8(body []byte, contentType string) ([]byte, error) {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(body, bomUTF8):
		body = body[len(bomUTF8):]
	case bytes.HasPrefix(body, bomUTF16LE):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(body, bomUTF16BE):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case utf8.Valid(body):
	default:
		enc = guessEncoding(body, contentType)
	}
	if enc != nil {
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return nil, fmt.Errorf("feed: decode charset: %w", err)
		}
		body = out
	}
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return stripEncodingDecl(bytes.TrimLeft(body, " \t\r\n")), nil
}

// guessEncoding picks the encoding of a body that is not valid UTF-8: steps
// 3 to 5 of toUTF8.
func guessEncoding(body []byte, contentType string) encoding.Encoding {
	if enc := usableLabel(prologEncoding(body)); enc != nil {
		return enc
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if enc := usableLabel(params["charset"]); enc != nil {
			return enc
		}
	}
	if hasMultiByteUTF8(body) {
		return nil // toUTF8 replaces the invalid bytes
	}
	return charmap.Windows1252
}

// usableLabel returns the encoding a label names, or nil when it names none,
// UTF-8 or UTF-16 (see toUTF8), or the WHATWG "replacement" encoding.
func usableLabel(label string) encoding.Encoding {
	if label == "" {
		return nil
	}
	enc, name := charset.Lookup(label)
	if enc == nil || name == "utf-8" || name == "replacement" || strings.HasPrefix(name, "utf-16") {
		return nil
	}
	return enc
}

// hasMultiByteUTF8 reports whether b holds at least one valid UTF-8 sequence
// of two or more bytes and more valid ones than invalid bytes.
func hasMultiByteUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n == 1:
			invalid++
		case n > 1:
			valid++
		}
		b = b[n:]
	}
	return valid > 0 && valid > invalid
}

// xmlDecl returns the bounds of an XML declaration ("<?xml … ?>") at the
// start of b, or -1, -1.
func xmlDecl(b []byte) (start, end int) {
	if !bytes.HasPrefix(b, []byte("<?xml")) || len(b) < 6 || !isXMLSpace(b[5]) {
		return -1, -1
	}
	// A real declaration is short; do not scan a whole document for "?>".
	head := b[:min(len(b), 512)]
	i := bytes.Index(head, []byte("?>"))
	if i < 0 {
		return -1, -1
	}
	return 0, i + 2
}

// prologEncoding returns the value of encoding="…" in the XML declaration at
// the start of body (after white space), or "".
func prologEncoding(body []byte) string {
	body = bytes.TrimLeft(body, " \t\r\n")
	_, end := xmlDecl(body)
	if end < 0 {
		return ""
	}
	_, vs, ve := findEncodingAttr(body[:end])
	if vs < 0 {
		return ""
	}
	return string(body[vs:ve])
}

// stripEncodingDecl removes the encoding pseudo-attribute from the XML
// declaration at the start of b, if there is one.
func stripEncodingDecl(b []byte) []byte {
	_, end := xmlDecl(b)
	if end < 0 {
		return b
	}
	as, _, ae := findEncodingAttr(b[:end])
	if as < 0 {
		return b
	}
	out := make([]byte, 0, len(b)-(ae+1-as))
	out = append(out, b[:as]...)
	return append(out, b[ae+1:]...)
}

// findEncodingAttr finds ` encoding = "value"` in an XML declaration: the
// start of the white space before the name, and the bounds of the value
// (quotes excluded; the closing quote is at valueEnd). All -1 when absent.
func findEncodingAttr(decl []byte) (attrStart, valueStart, valueEnd int) {
	i := bytes.Index(decl, []byte("encoding"))
	if i < 1 || !isXMLSpace(decl[i-1]) {
		return -1, -1, -1
	}
	attrStart = i - 1
	for attrStart > 0 && isXMLSpace(decl[attrStart-1]) {
		attrStart--
	}
	j := i + len("encoding")
	for j < len(decl) && isXMLSpace(decl[j]) {
		j++
	}
	if j >= len(decl) || decl[j] != '=' {
		return -1, -1, -1
	}
	j++
	for j < len(decl) && isXMLSpace(decl[j]) {
		j++
	}
	if j >= len(decl) || decl[j] != '"' && decl[j] != '\'' {
		return -1, -1, -1
	}
	q := decl[j]
	k := bytes.IndexByte(decl[j+1:], q)
	if k < 0 {
		return -1, -1, -1
	}
	return attrStart, j + 1, j + 1 + k
}

func isXMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}
