//go:build linux && race

package main

// raceEnabled: the race detector multiplies memory use (shadow memory)
// and slows everything down; bounds in the hardening tests allow for it.
const raceEnabled = true
