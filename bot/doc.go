// Package bot is the chat side of alertbot: the Alert as chats see it, its
// Layout (the same on every platform), and its durable delivery to chats
// through River jobs. Each chat platform implements Messenger in its own
// subpackage (bot/console now; bot/telegram and bot/slack, which keep their
// SDKs to themselves). bot reaches the store only through the interfaces
// it declares here (Alerts, Deliveries), which the app implements.
//
// # Chat addresses
//
// A chat is addressed by one string, "PLATFORM:ID": "telegram:-1001234567890",
// "telegram:-1001234567890/3" (topic 3 of a forum), "slack:C0123ABC", and
// "console" alone. Platform(chat) picks the Messenger; the Messenger parses
// the rest.
//
// # Snippets and layout
//
// NewSnippet cuts the item's text around the first highlighted span to a
// length chats show well, at word boundaries, with "…" where it cut, and
// keeps the highlights in view as bold byte ranges. Layout turns an Alert
// into lines of plain-text segments (bold, link, severity marker, id):
// severity, rule title and id; the item's title linked; the snippet;
// the folded alerts of a flood summary; countries, source and time in UTC
// and in the chat's zone. Renderers escape every segment for their
// platform and never let outside text form markup, a link or a mention.
//
// # Delivery
//
// The app inserts one DeliverArgs job per (alert, chat) in the same
// transaction that stores the alert, and registers a Deliverer as the
// worker of those jobs on a River client whose Queues include DeliverQueue.
// The Deliverer's Work:
//
//  1. returns at once if Deliveries says the alert was delivered to the chat;
//  2. cancels the job (river.JobCancel) if the chat is paused;
//  3. loads the alert and sends it with the Messenger of the chat's platform;
//  4. on success records it with MarkDelivered, on a context of its own, so
//     an attempt whose deadline ran out during the send still records it;
//  5. on *RetryAfter snoozes the job (river.JobSnooze: no attempt is used);
//     on ErrChatGone pauses the chat and cancels the job; on any other
//     error returns it, and River retries with backoff, up to
//     DeliverMaxAttempts (about three weeks); the last failure is logged as
//     an error. Each attempt has DeliverTimeout.
//
// # Exactly once
//
// An alert reaches each of its chats once, across restarts and replicas,
// but for the one window described below, because:
//
//   - At least once. The app commits the jobs with the alert, so an alert
//     without its jobs never exists. A job ends only when the platform
//     accepted the message, or on purpose: the chat is paused (it blocked
//     or removed the bot), the alert is gone, or every attempt failed, which
//     is logged as an error. Failures retry with backoff; rate limits snooze
//     without using attempts; a job held by a process that died is rescued
//     by River and run again; a missing Messenger (no token after a restart)
//     fails and retries like any other error.
//   - At most one job. DeliverArgs are unique by args (River UniqueOpts
//     ByArgs): inserting the same (alert, chat) again while the job is
//     pending, scheduled, available, running, retryable or completed adds
//     nothing.
//   - At most one send. A job may still run more than once: retries after
//     an error, River's rescue of a job it believes stuck, a job inserted
//     again after River pruned the completed one. Every run first asks
//     Deliveries whether the alert was delivered, and every accepted send
//     is recorded with MarkDelivered before the job completes, so a later
//     run sends nothing. If MarkDelivered fails, the Deliverer remembers the
//     send in memory and its retries record it without sending again (on
//     the last attempt it completes the job and logs the missing record).
//
// One window remains: the platform accepted the message but the record of
// it was not made, because the process died (or lost the database) between
// the two, or because the platform's answer was lost (a timeout after it
// received the request). The next run then sends the alert again: a
// duplicate, never a loss. Telegram's sendMessage and Slack's
// chat.postMessage take no idempotency key, so this cannot be closed from
// our side; it is kept to the time of one HTTP response and one small
// write.
//
// Digests (digest.go, digestwork.go) follow the same pattern: the app
// inserts one DigestArgs job per chat and scheduled time, unique by both;
// the DigestWorker records each message of a digest as it is accepted
// (Digests.DigestPartSent), so a retry resumes after it, with the same
// residual window per message.
//
// # Concurrency
//
// Deliverer.Work runs in River's workers, concurrently, also for the same
// chat (two alerts at once); Messengers and the Alerts and Deliveries
// implementations must be safe for that. Ordering between alerts to one
// chat is not guaranteed. Rate limits are the Messengers' to pace (they
// know their platform's) and to report with *RetryAfter.
package bot
