// Package web reads sources without a feed: kind html, a page read through
// CSS selectors (HTMLSource), and kind json, a JSON listing read through dot
// paths such as a WordPress REST route (JSONSource). Both implement
// sources.Source: each Poll fetches with a conditional GET through the
// sources.Fetcher, returns every item the page shows now (the store dedups
// them) and fails loudly, with an error wrapping ErrNoMatch, when the page
// no longer holds what the selectors or paths name: a redesign or an error
// page must not read as "nothing new".
//
// Items: ID is the item's canonical link (sources.Identity; a json source's
// ID field wins when set), URL the link resolved against the final URL with
// tracking parameters removed, Title and Text plain text (HTML and entities
// decoded, paragraphs one per line), Published in UTC and the fetch time when
// the item shows no believable date.
//
// Pages are decoded by their byte order mark, else as UTF-8 when valid,
// else by the Content-Type charset, else by their <meta> charset (toUTF8).
//
// An html source with Follow fetches the pages of items new to the listing
// since the previous poll, remembered in State.Cursor, to take their full
// text: at most FollowMax a poll, FollowDelay apart (HTMLSource.Poll).
package web
