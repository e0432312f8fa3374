package main

import (
	"fmt"
)

// runCheck validates the config, compiles every rule and runs the rules'
// examples. Problems go to stderr as FILE:LINE:COL: path: message.
func runCheck(e *env, args []string) int {
	fs, config := e.flags("check")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "alertbot check: takes no arguments")
		return exitUsage
	}
	cfg, lib, ok := e.loadLibrary(*config)
	if !ok {
		return exitFail
	}
	for _, w := range lib.Slow(cfg) {
		fmt.Fprintf(e.stderr, "warning: %v\n", w)
	}
	if err := lib.CheckExamples(cfg); err != nil {
		e.printErrors(err)
		return exitFail
	}
	rules, examples := 0, 0
	for _, rs := range cfg.Rulesets {
		rules += len(rs.Rules)
		for _, r := range rs.Rules {
			examples += len(r.Examples.Match) + len(r.Examples.NoMatch)
		}
	}
	fmt.Fprintf(e.stdout, "%s: ok: %d sources, %d rule sets, %d rules (%d slow), %d examples pass\n",
		cfg.File, len(cfg.Sources), len(cfg.Rulesets), rules, len(lib.Matcher.Slow()), examples)
	return exitOK
}
