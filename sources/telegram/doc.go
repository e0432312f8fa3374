// Package telegram reads the web preview of a public Telegram channel,
// https://t.me/s/NAME (PROTOCOLS.md §3), into sources.Item values. It is
// the source of kind telegram; bot/telegram, a different package, talks
// to the Bot API.
//
// # Pages
//
// ParsePage does no I/O: it reads one page (the latest posts, or those
// before an id with ?before=ID) with goquery and returns its posts oldest
// first, as the page shows them, with the lowest and highest post id on
// the page. For each message with a readable data-post ("channel/id",
// split on the last "/"; a repeated id is read once):
//
//   - Permalink: the href of a.tgme_widget_message_date, made absolute;
//     built from the page's address when missing.
//   - Time: that link's <time datetime>, in UTC; a voice or video
//     duration (a <time> without datetime) is never taken. Zero when
//     missing; Source uses the fetch time then.
//   - Text: the post's own .tgme_widget_message_text, which holds the
//     caption of a photo, video, album, voice note or document. Text in a
//     quoted post (.tgme_widget_message_reply) or a link preview is not
//     the post's and is never read, nor are their media counted. <br> and
//     block elements end a line; an emoji gives its character (the
//     <i class="emoji"><b>…</b></i> markup) or its image's alt; a link
//     keeps its text and is followed by " (URL)" unless it shows its own
//     address, is a #hashtag, $cashtag or @mention, or leads to another
//     scheme than http(s); a link without visible text gives its URL.
//     Other tags are dropped, entities decoded, white space collapsed,
//     blank lines dropped, lines joined with "\n".
//   - Without such text: a poll gives its question and options, one a
//     line; a document its file name.
//   - Media: the kind of attachment (photo, album, video, round_video,
//     voice, document, sticker, poll, location, unsupported), "" for none.
//   - ForwardedFrom (the name of the original channel or user), Author
//     (the signature of a signed post), Edited (the word "edited" in the
//     date line), ReplyTo (the id the quoted post's link ends with).
//
// Left out of Posts, though their ids count in Oldest and Newest so that
// paging back stays right: service messages (channel created, renamed,
// photo changed, message pinned) and posts with nothing to read (a photo,
// video, voice note or sticker without caption): no rule could match them.
//
// A page without a channel history (.tgme_channel_history), such as the
// t.me/NAME page Telegram redirects to when a channel has no public
// preview, gives an error wrapping ErrNoPreview; a history without any
// post (the "No posts found" page) gives one wrapping ErrNoPosts.
//
// # Source
//
// Source is a configured channel for the sources.Poller. A Poll GETs
// {BaseURL}/s/{Channel} and keeps in State.Cursor the highest post id
// seen. When the cursor is set and the latest page's oldest post is above
// cursor+1, posts were missed since the last poll: it pages back with
// ?before=<oldest id on the previous page> until a page reaches the
// cursor, the channel has no older post (ErrNoPosts), or MaxPages pages
// were fetched (default 5, about 100 posts); what lies beyond is not
// filled. The first poll (no cursor) fetches one page. Items are every
// post of every page fetched, oldest first, seen before or not (the store
// dedups them):
//
//   - ID: ItemID(channel, post id) = "mid_russia/40102", the username in
//     lower case; channel_post updates of the Bot API build the same, so
//     that a post seen both ways alerts once.
//   - URL: the permalink; Title: the text's first line, cut after a whole
//     word within 120 runes and ended with "…"; Text: the whole text;
//     Lang: the configured one; Published: the post's time.
//
// The pages change with every view, so there is no conditional GET: the
// State holds only the Cursor. A final address without "/s/" (Telegram
// redirected to t.me/NAME) is ErrNoPreview; a channel without posts is a
// success with no items. When any page fails, the poll fails and the
// State is kept: a *sources.RetryAfterError for a 429 passes through, so
// the Poller waits as asked, and the next poll starts again from the same
// cursor. Errors read "telegram: source ID: …".
package telegram
