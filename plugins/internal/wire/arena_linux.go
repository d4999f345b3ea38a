package wire

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// NewArenaPair creates a plugin process's input and output arenas (host
// side), each limited to max bytes: sealed memory files, mapped once.
func NewArenaPair(name string, max int64) (in, out *Arena, err error) {
	if max < 2*arenaData {
		return nil, nil, errors.New("shared arena: limit too small")
	}
	if in, err = createArena("kqlhunt-arena-in-"+name, max); err != nil {
		return nil, nil, err
	}
	if out, err = createArena("kqlhunt-arena-out-"+name, max); err != nil {
		in.Close()
		return nil, nil, err
	}
	return in, out, nil
}

func createArena(name string, max int64) (*Arena, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("shared arena: %w", err)
	}
	f := os.NewFile(uintptr(fd), name)
	if err := f.Truncate(arenaData); err != nil {
		f.Close()
		return nil, fmt.Errorf("shared arena: %w", err)
	}
	// Neither side may shrink the file under the other's mapping.
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_SEAL); err != nil {
		f.Close()
		return nil, fmt.Errorf("shared arena: %w", err)
	}
	mem, err := unix.Mmap(fd, 0, int(max), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("shared arena: %w", err)
	}
	a, err := newArena(f, mem, max, true)
	if err != nil {
		unix.Munmap(mem)
		f.Close()
		return nil, err
	}
	return a, nil
}

// OpenArenaPair maps the arenas named by the EnvArena value (plugin side).
func OpenArenaPair(env string) (in, out *Arena, err error) {
	a, b, ok := strings.Cut(env, ",")
	infd, err1 := strconv.Atoi(a)
	outfd, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || infd < 3 || outfd < 3 || infd == outfd {
		return nil, nil, fmt.Errorf("shared arena: bad %s %q", EnvArena, env)
	}
	if in, err = openArena(infd); err != nil {
		return nil, nil, err
	}
	if out, err = openArena(outfd); err != nil {
		in.Close()
		return nil, nil, err
	}
	return in, out, nil
}

func openArena(fd int) (*Arena, error) {
	seals, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	if err != nil || seals&unix.F_SEAL_SHRINK == 0 {
		return nil, fmt.Errorf("shared arena: descriptor %d is not a sealed memory file", fd)
	}
	f := os.NewFile(uintptr(fd), "kqlhunt-arena")
	head, err := unix.Mmap(fd, 0, 64, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("shared arena: %w", err)
	}
	max := int64(0)
	if string(head[:8]) == arenaMagic {
		for i := 7; i >= 0; i-- {
			max = max<<8 | int64(head[8+i])
		}
	}
	unix.Munmap(head)
	if max < 2*arenaData || max > 1<<40 {
		f.Close()
		return nil, errors.New("shared arena: not a kqlhunt arena")
	}
	mem, err := unix.Mmap(fd, 0, int(max), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("shared arena: %w", err)
	}
	a, err := newArena(f, mem, max, false)
	if err != nil {
		unix.Munmap(mem)
		f.Close()
		return nil, err
	}
	return a, nil
}

func unmapArena(b []byte) { unix.Munmap(b) }
