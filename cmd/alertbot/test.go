package main

import (
	"fmt"

	"github.com/alertbot/alertbot/app"
)

// runTest runs rule test files; with none, it runs the rules' own examples.
// It ends with the line "N passed, M failed".
func runTest(e *env, args []string) int {
	fs, config := e.flags("test")
	if code, stop := parse(fs, args); stop {
		return code
	}
	cfg, lib, ok := e.loadLibrary(*config)
	if !ok {
		return exitFail
	}
	if fs.NArg() == 0 {
		if err := lib.CheckExamples(cfg); err != nil {
			e.printErrors(err)
			return exitFail
		}
		fmt.Fprintf(e.stdout, "%s: the rules' examples pass\n", cfg.File)
		return exitOK
	}
	passed, failed := 0, 0
	for _, file := range fs.Args() {
		ts, err := app.LoadRuleTests(file)
		if err != nil {
			e.printErrors(err)
			failed++
			continue
		}
		p, errs := lib.Run(ts)
		for _, err := range errs {
			fmt.Fprintln(e.stderr, err)
		}
		passed += p
		failed += len(errs)
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return exitFail
	}
	return exitOK
}
