package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/alertbot/alertbot/app"
)

// runRun is the daemon: poll, match, deliver, until SIGINT or SIGTERM.
// SIGHUP reloads the config; an invalid one is refused with its errors and
// the running one stays.
func runRun(e *env, args []string) int {
	fs, config := e.flags("run")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "alertbot run: takes no arguments")
		return exitUsage
	}
	cfg, ok := e.loadConfig(*config)
	if !ok {
		return exitFail
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	svc, err := app.Open(e.ctx, cfg, app.Options{Stdout: e.stdout, Logger: log})
	if err != nil {
		e.printErrors(err)
		return exitFail
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				e.reload(ctx, svc, log, *config)
			}
		}
	}()
	err = svc.Run(ctx)
	cancel()
	<-done
	if err != nil {
		log.Error("alertbot run", "error", err)
		return exitFail
	}
	return exitOK
}

// reload reads the config again and puts it in force, or logs why not.
func (e *env) reload(ctx context.Context, svc *app.Service, log *slog.Logger, file string) {
	cfg, ok := e.loadConfig(file)
	if !ok {
		log.Error("config reload refused: the running config stays")
		return
	}
	if err := svc.Reload(ctx, cfg); err != nil {
		e.printErrors(err)
		log.Error("config reload refused: the running config stays")
	}
}
