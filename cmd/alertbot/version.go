package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func runVersion(e *env, args []string) int {
	fs, _ := e.flags("version")
	if code, stop := parse(fs, args); stop {
		return code
	}
	version, revision := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = " " + s.Value
			}
		}
	}
	fmt.Fprintf(e.stdout, "alertbot %s%s %s\n", version, revision, runtime.Version())
	return exitOK
}
