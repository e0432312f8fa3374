// Package slack is the Messenger of the "slack" platform: it posts alerts
// to Slack channels with chat.postMessage, through slack-go, which no
// other package of alertbot sees.
//
// # Chats
//
// A chat is "slack:" and a conversation id: "slack:C0123ABC" (a channel;
// G… and D… ids work alike). The bot must be a member of the channel.
// An address that is not of that form can never be delivered to and is
// reported as bot.ErrChatGone, like a channel Slack does not know.
//
// # Messages
//
// An alert is laid out by bot.Layout and rendered as Block Kit: a section
// with the severity (an emoji and the word), the rule's title and id; a
// section with the item's title in bold, linked to the item; a section with
// the snippet, the matched words in bold; a section listing the folded
// alerts of a flood summary; a context block with the countries, the
// source and the time (UTC and the Messenger's zone). The top-level text,
// which Slack shows in notifications, is the head line and the title.
// Link and media unfurling are off: an alert stays as compact as we made it.
//
// Every piece of outside text (titles, snippets, source names, URLs) is
// escaped: & < > become &amp; &lt; &gt;, so it cannot form a link, a
// mention such as <!channel> or <@U123>, or close one of ours; the
// formatting characters * _ ~ ` become look-alikes (∗ ＿ ∼ ˋ), so it cannot
// change the formatting, or break out of our *bold* and `code`; a leading
// > becomes ›, so it cannot start a quote. Text objects are "verbatim",
// so Slack does not turn bare URLs, #channel names or @mentions in them
// into links. A URL is linked only if it is http or https.
//
// Each text is cut to a budget below Block Kit's limits (a section's text
// 3000 characters; at most 8,500 for the blocks of a message), at a
// character and never inside an escape, with "…" where it was cut. An alert
// is never split.
//
// A digest (SendDigest) is split by bot.SplitDigest into messages of at
// most MaxBlocks blocks and 12,000 characters, its events several lines
// to a section, escaped as alerts are; each part is paced like an alert,
// and a retry resumes after the last part Slack accepted.
//
// # Errors and pacing
//
// Send paces itself to about one message per second per channel, after a
// burst of PaceBurst, as Slack allows: it blocks until the message may go,
// or returns ctx's error. When Slack answers 429 (Retry-After), or the wait
// would outlast ctx's deadline, it returns a *bot.RetryAfter instead, and
// holds the channel for that long. Slack's channel_not_found,
// not_in_channel and is_archived wrap bot.ErrChatGone; any other failure is
// a plain error, taken as transient. Errors never contain the token
// (slack-go sends it in the request body, not the URL).
//
// A Messenger is safe for concurrent use; concurrent sends to one channel
// take their turns.
package slack
