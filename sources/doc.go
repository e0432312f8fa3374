// Package sources holds what every kind of source shares: the Item a
// source yields, how an item is identified, the HTTP client sources fetch
// with, the Source interface each kind implements, and the Poller that
// drives them. Each subpackage reads one kind of source (sources/feed:
// RSS, Atom and JSON Feed; sources/telegram, sources/web), but for
// sources/htmltext, the HTML-to-text they share, and sources/sourcestest,
// the item check their tests share.
//
// # Items
//
// An Item is one entry as the source gave it, turned into plain text. The
// parsers (feed.Parse, …) fill every field but Source; a Source (such as
// feed.Source) sets Source to its id from the config. ID is unique within one fetch of a source and the
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
// A Fetcher is the only HTTP client of sources: a Source calls Fetch in
// each Poll, from several of the Poller's goroutines at once; `alertbot fetch` and
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
//
// # Sources
//
// A Source is one configured source of one kind. Its Poll fetches and
// parses once and returns every item the source shows now (the store
// dedups them) and the State to remember: the validators of the conditional
// GET and a kind-specific Cursor. The Poller calls Poll, never twice at
// once for one Source, and hands the outcome to a Handler; Source
// documents what each result means.
//
// # Polling
//
// A Poller polls Targets (a Source with its id, interval, host and what
// was persisted of it) until Run's ctx is done, and hands every poll's
// Result to a Handler, which stores the items, matches them and persists
// State, Health and NextPoll. Update swaps the targets on a config reload
// without losing the schedule, state or health of the ones that stay;
// Health feeds /status and /metrics.
//
// Schedule: a source is polled every Every ± Jitter·Every, counted from
// the start of the previous poll. A target without a NextPoll (new) is
// first polled within Jitter·Every (at most MaxStartSpread), so that a
// first start does not poll everything at once; a persisted NextPoll is
// kept, unless it lies further ahead than any schedule could put it.
// After the n-th consecutive failure the next poll waits
// min(Every·2^(n-1), MaxBackoff), jittered, from the end of the poll; a
// *RetryAfterError makes it wait at least its Wait; ErrNotModified is a
// success (Result.NotModified) that keeps the State. A Handler error
// turns the poll into a failure, and the State is not advanced.
//
// Politeness: requests to one Host never overlap, and one starts at least
// HostGap after the previous one ended. A host that is busy or in its gap
// holds back its own sources only: the workers take the next due source
// of another host. At most Workers polls run at once; a poll that runs
// longer than PollTimeout is cancelled and fails.
//
// Inside, one goroutine (Run's) sleeps on one timer until the earliest
// time a host may be polled, kept in a min-heap of hosts each holding a
// min-heap of its sources; a poll runs in a goroutine that ends with it.
// Nothing polls in a loop and every goroutine ends when ctx is done: Run
// cancels the polls in flight, waits for them and drops their results
// (a cancelled poll says nothing about the source). Each failed poll is
// logged once, at Warn, with the keys source, attempt and error.
package sources
