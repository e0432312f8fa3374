// Package alertbot holds the example configuration, embedded so that the
// binary runs on its defaults from any directory.
package alertbot

import _ "embed"

// ExampleConfig is rules.example.yaml: the worked example and the default
// configuration.
//
//go:embed rules.example.yaml
var ExampleConfig []byte
