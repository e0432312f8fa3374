// Command alertbot watches news sources and official channels, matches new
// items against rule sets and posts alerts to team chats.
//
// Usage:
//
//	alertbot run|demo|check|test|match|fetch|digest|version [flags]
//
// See the README and DESIGN.md §3 for each subcommand.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/alertbot/alertbot"
	"github.com/alertbot/alertbot/app"
)

// Exit codes (DESIGN.md §3).
const (
	exitOK    = 0
	exitFail  = 1 // the job failed
	exitUsage = 2 // bad usage
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a subcommand works with: its streams and arguments.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name, usage, summary string
	run                  func(e *env, args []string) int
}

func commands() []command {
	return []command{
		{"run", "[-config FILE]", "poll the sources, match, and deliver alerts until interrupted", runRun},
		{"demo", "[-config FILE]", "offline, in seconds: serve sample feeds on loopback and show the alerts they raise", runDemo},
		{"fetch", "[-json] [-kind rss|telegram|html|json] URL|FILE", "fetch and parse one source once and print its items", runFetch},
		{"check", "[-config FILE]", "validate the config and every rule, and run the rules' examples", runCheck},
		{"test", "[-config FILE] [FILE...]", "run rule test files (texts with the rules they must and must not raise)", runTest},
		{"match", "[-config FILE] [-json] [FILE|-]...", "run the rules on documents and print what matched and why", runMatch},
		{"digest", "-chat CHAT [-since 24h] [-send]", "print a chat's digest, and send it with -send", runDigest},
		{"version", "", "print the version", runVersion},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "alertbot: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: alertbot COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

// flags returns a FlagSet for command name that writes its usage to e.stderr,
// with the -config flag every command takes.
func (e *env) flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("alertbot "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	config := fs.String("config", "", "config `FILE` (default alertbot.yaml, then rules.example.yaml, then the built-in example)")
	return fs, config
}

// parse parses args; it returns an exit code when the command should stop.
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, true
		}
		return exitUsage, true
	}
	return 0, false
}

// loadConfig reads the config named by -config, or the first of
// alertbot.yaml and rules.example.yaml in the working directory, or the
// example built into the binary.
func (e *env) loadConfig(file string) (*app.Config, bool) {
	var (
		cfg *app.Config
		err error
	)
	switch {
	case file != "":
		cfg, err = app.LoadConfig(file)
	case exists("alertbot.yaml"):
		cfg, err = app.LoadConfig("alertbot.yaml")
	case exists("rules.example.yaml"):
		cfg, err = app.LoadConfig("rules.example.yaml")
	default:
		cfg, err = app.ParseConfig("rules.example.yaml (built in)", alertbot.ExampleConfig)
	}
	if err != nil {
		e.printErrors(err)
		return nil, false
	}
	return cfg, true
}

// loadLibrary is loadConfig and the rule library it compiles to.
func (e *env) loadLibrary(file string) (*app.Config, *app.Library, bool) {
	cfg, ok := e.loadConfig(file)
	if !ok {
		return nil, nil, false
	}
	lib, err := app.NewLibrary(cfg)
	if err != nil {
		e.printErrors(err)
		return nil, nil, false
	}
	return cfg, lib, true
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// printErrors writes each of the errors joined in err on its own line.
func (e *env) printErrors(err error) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, err := range j.Unwrap() {
			e.printErrors(err)
		}
		return
	}
	fmt.Fprintln(e.stderr, err)
}
