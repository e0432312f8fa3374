package main

import (
	"fmt"
	"log/slog"

	"github.com/alertbot/alertbot/app"
)

// runDigest renders a chat's digest to stdout and, with -send, sends it.
func runDigest(e *env, args []string) int {
	fs, config := e.flags("digest")
	chat := fs.String("chat", "", "the `CHAT`: telegram:ID, telegram:ID/THREAD or slack:CHANNEL")
	since := fs.Duration("since", 0, "cover the last `DURATION` (such as 24h) rather than everything since the chat's previous digest")
	send := fs.Bool("send", false, "send the digest to the chat as well (tokens from the environment); without -since it counts as the chat's latest digest")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 || *chat == "" || *since < 0 {
		fmt.Fprintln(e.stderr, "usage: alertbot digest -chat CHAT [-since 24h] [-send]")
		return exitUsage
	}
	cfg, ok := e.loadConfig(*config)
	if !ok {
		return exitFail
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	if err := app.ManualDigest(e.ctx, cfg, app.Options{Stdout: e.stdout, Logger: log}, *chat, *since, *send); err != nil {
		e.printErrors(err)
		return exitFail
	}
	return exitOK
}
