//go:build !linux

package wire

import "errors"

var errNoArena = errors.New("shared arenas need Linux (memfd)")

// NewArenaPair is unavailable here: batches go through files.
func NewArenaPair(name string, max int64) (in, out *Arena, err error) { return nil, nil, errNoArena }

// OpenArenaPair is unavailable here.
func OpenArenaPair(env string) (in, out *Arena, err error) { return nil, nil, errNoArena }

func unmapArena([]byte) {}
