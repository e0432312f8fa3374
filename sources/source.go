package sources

import "context"

// State is what a source remembers between polls. The Poller hands the
// last one to Poll and the next one to the Handler, which persists it; a
// Source never keeps it itself.
type State struct {
	ETag         string // validator for If-None-Match, as the server sent it
	LastModified string // validator for If-Modified-Since, as the server sent it
	Cursor       string // source-specific position, e.g. the last t.me post id
}

// Source is one configured source of one kind (rss, telegram, html, json).
//
// The Poller calls Poll once per due poll, never concurrently for one
// Source (different Sources are polled at once), with the State the
// previous successful poll returned (the zero State on the first poll).
// Poll blocks until done and returns:
//
//   - every item the source shows now, and the State to remember: the
//     caller dedups the items, so returning items seen before is right;
//     no items and a nil error is a success with nothing to show;
//   - an error wrapping ErrNotModified when nothing changed since st: a
//     success, and st is kept whatever next holds;
//   - an error wrapping *RetryAfterError when the source asked to be left
//     alone: a failure, and the Poller waits at least Wait;
//   - any other error: a failure, retried with backoff; st is kept.
//
// Errors start with the reader's package and the source id
// ("feed: source un-press: …"). ctx is done when the Poller stops or the
// poll has run longer than PollerOptions.PollTimeout; Poll must then
// return soon, with an error (wrapping ctx.Err() is best).
type Source interface {
	Poll(ctx context.Context, st State) (items []Item, next State, err error)
}
