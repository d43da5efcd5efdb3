//go:build !dev

package main

// devCommands is empty in the production build: dev, temporal and bench
// need the embedded Temporal server, its Web UI and the bench harness,
// which only the development build (-tags dev) links.
func devCommands() []command { return nil }
