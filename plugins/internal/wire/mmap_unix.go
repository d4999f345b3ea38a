//go:build unix

package wire

import (
	"os"

	"golang.org/x/sys/unix"
)

func mapFile(f *os.File, size int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED|mapPopulate)
}

func unmapFile(b []byte) { unix.Munmap(b) }

// processGone reports whether no process has that id.
func processGone(pid int) bool { return unix.Kill(pid, 0) == unix.ESRCH }
