package main

import (
	"fmt"
	"log/slog"

	"github.com/alertbot/alertbot/app"
)

// runDemo runs the whole pipeline offline on bundled sample feeds and
// prints the alerts, in seconds.
func runDemo(e *env, args []string) int {
	fs, config := e.flags("demo")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "alertbot demo: takes no arguments")
		return exitUsage
	}
	cfg, ok := e.loadConfig(*config)
	if !ok {
		return exitFail
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := app.Demo(e.ctx, cfg, e.stdout, log); err != nil {
		e.printErrors(err)
		return exitFail
	}
	return exitOK
}
