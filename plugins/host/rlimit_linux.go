//go:build linux

package host

import "golang.org/x/sys/unix"

// limitMemory bounds the address space of a running plugin process.
func limitMemory(pid int, bytes uint64) {
	_ = unix.Prlimit(pid, unix.RLIMIT_AS, &unix.Rlimit{Cur: bytes, Max: bytes}, nil)
}
