package bot

import "context"

// Command is a chat command as a platform adapter received it: the same on
// every platform (on Slack, the subcommand of the one slash command or the
// text of a mention; on Telegram, the /command with its arguments).
type Command struct {
	Chat  string // the chat address: "telegram:-100…/3", "slack:C0123"
	User  string // the platform's user id, for logs
	Admin bool   // the user may change this chat's subscriptions: a chat administrator, or a configured admin
	Text  string // the command and its arguments, without "/", the bot's name or the slash command: "subscribe diplomacy min=high"
}

// Reply is what the bot answers a command: plain text, one item a line.
// Adapters escape it for their platform and split it within its limits.
type Reply struct {
	Text      string
	Ephemeral bool // only the user who asked should see it, where the platform can do that (Slack)
}

// Commands runs chat commands. Platform adapters call Run for every
// command they receive, concurrently; Run blocks until the answer is
// ready (a lookup may take a moment: adapters acknowledge first where the
// platform requires it) and never fails: problems are answered.
type Commands interface {
	Run(ctx context.Context, c Command) Reply
}
