// Package feed reads RSS 0.9x, 1.0 (RDF) and 2.0, Atom 0.3 and 1.0, and
// JSON Feed 1.0 and 1.1 documents into sources.Item values. Parse does no
// I/O: the caller fetches with sources.Fetcher (sending Accept) and hands
// Parse the body, its Content-Type and its final URL; Source, the
// sources.Source of kind rss, does exactly that. Parse is a pure function,
// safe to call concurrently; gofeed (github.com/mmcdole/gofeed) does the
// format work on bytes already converted to UTF-8.
//
// # Encoding
//
// The body is converted to UTF-8 before gofeed sees it, and the encoding
// declaration is removed from the XML prolog so that it is not converted
// twice. A byte order mark decides; else bytes that are valid UTF-8 are
// UTF-8 whatever the labels say; else the prolog's encoding, then the
// Content-Type charset, are used unless they claim UTF-8 or UTF-16; else a
// body that is mostly UTF-8 keeps that reading with U+FFFD for bad bytes,
// and anything else is read as windows-1252. UTF-16 is recognised only by
// its byte order mark.
//
// # Items
//
// For each entry Parse returns a sources.Item with:
//
//   - Title: the title as plain text on one line.
//   - Text: the description or the content, whichever is longer as plain
//     text: tags removed, entities decoded, script/style dropped, block
//     elements and br ending lines, white space collapsed within lines,
//     blank lines dropped, lines joined with "\n".
//   - URL: the entry's link (else its GUID when that is an http(s) URL),
//     resolved against xml:base and then the document URL, and cleaned by
//     sources.CleanURL.
//   - ID: sources.Identity of GUID, URL, title and text, made unique within
//     the document (below).
//   - Lang: the primary subtag of the feed's language element (language,
//     dc:language, xml:lang, JSON "language"): "en-US" gives "en". Entries
//     carry no language of their own in gofeed.
//   - Published: gofeed's published date, else its updated date, else our
//     own reading of the raw strings (odd RFC 822 forms, named zones such as
//     MSK or JST, ISO 8601 without a zone, "2006-01-02 15:04:05", Russian
//     month names, Unix seconds), else the fetch time. A date without a zone
//     is UTC. gofeed reads zone abbreviations it does not know as UTC; such
//     dates are read again. A date more than a day after the fetch time or
//     before 1990 is not believed. Always in UTC.
//   - Source: empty; the caller sets it.
//
// Entries with neither title nor text are dropped: no rule could match
// them. Items keep the document's order.
//
// # Duplicates within one document
//
// An entry repeated verbatim (same GUID, URL, title and text) is kept once.
// Entries that share an ID but differ are all moved to their next identity
// (GUID, then link, then content hash), because a GUID that several stories
// share identifies none of them (a CMS that writes the site address into
// every guid). Moving all of them, rather than keeping the first, stops an
// ID from passing to a different story as the feed scrolls; when they share
// even the content hash they say the same thing and the first is kept.
//
// # Errors
//
// An empty or blank body gives ErrEmptyBody; an HTML page, another XML
// vocabulary, or JSON that is not a JSON Feed gives an error wrapping
// ErrNotFeed that says which ("feed: not a feed (looks like HTML)"); a
// broken feed gives "feed: parse: …". A feed without entries is not an
// error. Parse never panics: a panic inside gofeed becomes an error.
//
// # Source
//
// Source is a configured feed (kind rss) for the sources.Poller. Each Poll
// is one conditional GET through its Fetcher, with the ETag and
// Last-Modified of the State it is given, Accept, and the configured
// User-Agent if any; then Parse with the response's Content-Type and final
// URL (after redirects). Every item gets Source = the source's ID, and
// the configured Lang when the feed names no language. The returned State
// holds the response's validators ("" for one the server stopped
// sending) and keeps the Cursor. A 304 is returned as an error wrapping
// sources.ErrNotModified and nothing is parsed. Every error reads
// "feed: source ID: …" and wraps the Fetcher's or Parse's, so that
// errors.Is and errors.As still find sources.ErrNotModified,
// *sources.RetryAfterError, *sources.StatusError, ErrNotFeed, … .
package feed
