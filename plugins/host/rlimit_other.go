//go:build !linux

package host

// limitMemory is a no-op where prlimit is unavailable; GOMEMLIMIT still applies to Go plugins.
func limitMemory(pid int, bytes uint64) {}
