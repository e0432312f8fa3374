// Package sources holds what every kind of source shares: the Item a
// source yields, how an item is identified, and the HTTP client sources
// fetch with. Each subpackage reads one kind of source (sources/feed: RSS,
// Atom and JSON Feed); the poller that drives them comes later and lives
// here too.
//
// # Items
//
// An Item is one entry as the source gave it, turned into plain text. The
// readers (sources/feed, …) fill every field but Source, which the caller
// sets from the config. ID is unique within one fetch of a source and the
// same for the same entry on every fetch; Published is in UTC and is the
// fetch time when the source gives no believable date.
//
// # Identity
//
// Identity (DESIGN.md §6) is the GUID when the entry has one, else its link
// made canonical by CleanURL (tracking parameters, fragment, default port
// and parameter order do not count), else ContentHash of title and text.
// A feed that repeats one GUID for different entries is the reader's
// problem: sources/feed falls back to the next identity for those entries.
// ContentHash is also what the store compares to recognise an entry whose
// GUID changed while its content did not, which is not new.
//
// # Fetching
//
// A Fetcher is the only HTTP client of sources: the poller calls Fetch once
// per due source, from several goroutines at once; `alertbot fetch` and
// `alertbot match URL` call it once. A Fetcher keeps no state between
// calls: the caller stores the ETag and Last-Modified of each Response and
// passes them in the next Request of that source, and owns health records
// and backoff. What Fetch returns means:
//
//   - a *Response: a 2xx answer, its body decompressed and within limits;
//     the validators in it replace the stored ones, even when empty;
//   - an error wrapping ErrNotModified: a success with nothing new;
//   - an error wrapping *RetryAfterError (429, 503): a failure; do not fetch
//     the source again before Wait has passed;
//   - an error wrapping *StatusError, *LimitError or anything else: a
//     failure, to be retried with backoff;
//   - ctx.Err() when ctx ended first: no verdict on the source.
//
// Fetch blocks for at most FetchOptions.Timeout (DefaultTimeout), redirects
// and reading the body included. Bodies are limited on the wire
// (DefaultMaxBodySize) and after gzip decompression (DefaultMaxDecodedSize),
// and at most DefaultMaxRedirects redirects are followed. The User-Agent is
// an honest DefaultUserAgent unless the Request names another (some sites
// answer only a browser-like one). Parsing is not the Fetcher's job: it
// hands Response.Body, Response.ContentType (whose charset the parser
// needs) and Response.URL (the base for relative links) to the reader.
package sources
