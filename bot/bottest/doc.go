// Package bottest holds faithful fakes of the chat platforms' APIs for
// tests: the Telegram Bot API (TelegramServer, telegram.go) and Slack
// (slack*.go, written separately). Each serves the real SDK over
// net/http/httptest, answers as the real service does (the exact bodies,
// status codes and error strings of PROTOCOLS.md), records every call, and
// can be told to fail: rate limits, a chat that blocked or removed the bot,
// server errors. Names are prefixed with their platform.
//
// Beside the fakes it holds what the platforms' tests share: the worked
// example's alert (alert.go), a big, hostile digest and the lines its
// messages must hold (digest.go), the check of a failed send's error
// (messenger.go), and SlackReadBlocks to read back a Slack message.
//
// The fakes hold no global state; each test starts its own.
package bottest
