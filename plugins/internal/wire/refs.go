package wire

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MinorRefs is the first protocol minor version with reference columns.
//
// The host, with a plugin whose Description.minor is at least MinorRefs,
// keeps the input records it sends through shared memory (up to a memory
// budget) until the call ends, and says so by sending their files as
// "KQLHUNT-SHMR:<first>:<file name>" instead of "KQLHUNT-SHM1:<file name>":
// the records of the file are the call's input records number first,
// first+1, ... (numbered from 0 in sending order).
//
// The plugin may then answer with "KQLHUNT-SHMX:<file name>|<columns>|<records>"
// frames: <columns> says for each output column either "d" (its data is in
// the file) or an input column index (it is that column of an input record,
// sent back by reference); <records> lists, for each record of the file, the
// number of the input record its reference columns come from. The file holds
// only the "d" columns; with none, the file name is "-" and there is no file.
// A plugin sends references only to records that came in SHMR files, so an
// older host (which never sends them) never gets one, and the host sends
// SHMR files only to plugins that speak MinorRefs.
const MinorRefs = 3

const (
	retainedMagic = "KQLHUNT-SHMR:"
	refMagic      = "KQLHUNT-SHMX:"
)

// RetainedFrame marks a shared-memory reference (from ShmWriter.Flush) as
// holding the retained input records number first, first+1, ...
func RetainedFrame(first int64, ref []byte) []byte {
	return []byte(retainedMagic + strconv.FormatInt(first, 10) + ":" + strings.TrimPrefix(string(ref), shmMagic))
}

// ParseRetained splits a retained frame into the number of its first record
// and a plain reference (for OpenShm); ok is false for other frames.
func ParseRetained(b []byte) (first int64, ref []byte, ok bool, err error) {
	if !bytes.HasPrefix(b, []byte(retainedMagic)) {
		return 0, nil, false, nil
	}
	num, name, found := strings.Cut(string(b[len(retainedMagic):]), ":")
	first, perr := strconv.ParseInt(num, 10, 64)
	if !found || perr != nil || first < 0 {
		return 0, nil, true, fmt.Errorf("bad retained shared-memory reference %q", b)
	}
	return first, []byte(shmMagic + name), true, nil
}

// RefBatch describes a frame with reference columns.
type RefBatch struct {
	Name string  // file name in the call's directory; "" when no column is data
	Cols []int   // per output column: -1 for data in the file, else an input column index
	Recs []int64 // per record: the input record the references point to
}

// IsRefFrame reports whether a batch frame carries reference columns.
func IsRefFrame(b []byte) bool { return bytes.HasPrefix(b, []byte(refMagic)) }

// Encode writes the frame.
func (rb RefBatch) Encode() []byte {
	var sb strings.Builder
	sb.WriteString(refMagic)
	if rb.Name == "" {
		sb.WriteString("-")
	} else {
		sb.WriteString(strings.TrimPrefix(rb.Name, shmMagic))
	}
	sb.WriteByte('|')
	for i, c := range rb.Cols {
		if i > 0 {
			sb.WriteByte(',')
		}
		if c < 0 {
			sb.WriteByte('d')
		} else {
			sb.WriteString(strconv.Itoa(c))
		}
	}
	sb.WriteByte('|')
	for i, r := range rb.Recs {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatInt(r, 10))
	}
	return []byte(sb.String())
}

// ParseRefFrame reads a frame written by RefBatch.Encode.
func ParseRefFrame(b []byte) (RefBatch, error) {
	var rb RefBatch
	parts := strings.Split(string(bytes.TrimPrefix(b, []byte(refMagic))), "|")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return rb, fmt.Errorf("bad reference frame %q", b)
	}
	if parts[0] != "-" {
		rb.Name = parts[0]
	}
	data := 0
	for _, c := range strings.Split(parts[1], ",") {
		if c == "d" {
			rb.Cols = append(rb.Cols, -1)
			data++
			continue
		}
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return rb, fmt.Errorf("bad reference frame %q", b)
		}
		rb.Cols = append(rb.Cols, n)
	}
	if (data == 0) != (rb.Name == "") {
		return rb, errors.New("bad reference frame: data columns and file do not agree")
	}
	for _, r := range strings.Split(parts[2], ",") {
		n, err := strconv.ParseInt(r, 10, 64)
		if err != nil || n < 0 {
			return rb, fmt.Errorf("bad reference frame %q", b)
		}
		rb.Recs = append(rb.Recs, n)
	}
	return rb, nil
}

// ShmRef is the plain reference (for OpenShm) to the frame's file.
func (rb RefBatch) ShmRef() []byte { return []byte(shmMagic + rb.Name) }
