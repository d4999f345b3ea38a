package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/plugins/internal/pb"
	"github.com/kqlhunt/kqlhunt/plugins/internal/wire"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

// Input is the record stream sent to a plugin; Next returns (nil, nil) at
// the end and the caller of Evaluate keeps ownership of the stream.
type Input interface {
	Schema() *arrow.Schema
	Next(ctx context.Context) (arrow.Record, error)
}

// Output is the record stream a plugin returns. Next returns (nil, nil) at
// the end; the caller releases each record and must Close the stream.
type Output struct {
	name    string
	h       *Host
	p       *proc
	ctx     context.Context
	cancel  context.CancelFunc
	stream  pb.Detector_EvaluateClient
	schema  *arrow.Schema
	mem     memory.Allocator
	sendErr chan error
	sent    chan struct{} // closed when the sender goroutine has returned
	done    bool
	// shmDir is the call's shared-memory directory ("" when batches go
	// inline); pending the shared-memory file being read.
	shmDir  string
	pending *wire.ShmReader
	// refs: the plugin speaks wire.MinorRefs, so input records sent through
	// shared memory are kept (retained, by number, up to RetainInputBytes)
	// for its reference columns until Close; refBatch is the reference
	// frame being read.
	refs          bool
	mu            sync.Mutex
	retained      map[int64]arrow.Record
	retainedBytes int64
	refBatch      *refBatch
	// arena: the call uses the process's shared arenas (protocol minor 4);
	// cell is the call's cell of the input arena.
	arena bool
	cell  wire.Cell
	// Output slots the call's records alias (pinned, see wire.Arena.Pin):
	// pins of pinnedBytes; the call's cell stays held (so the plugin reuses
	// none of the call's slots) until Close has run (ended) and the last
	// pinned slot is released.
	pinMu       sync.Mutex
	pins        int
	pinnedBytes int64
	ended       bool
}

// Pinned output bounds: a call pins output slots while its pinned slots
// stay under a quarter of the output arena and the arena's (all calls')
// under half of it; past either, slots are copied into Go memory and given
// back at once, so a consumer that holds every record cannot starve the
// plugin's arena.
const (
	callPinShare  = 4
	arenaPinShare = 2
)

// RetainInputBytes bounds the input records a call keeps for the plugin's
// reference columns; past it, input goes out without the promise and the
// plugin sends every column's data.
const RetainInputBytes = 512 << 20

// refBatch is a reference frame being turned into records.
type refBatch struct {
	rb   wire.RefBatch
	data *wire.ShmReader // nil when no column is data
	next int
}

// Schema is the declared output schema for this call.
func (o *Output) Schema() *arrow.Schema { return o.schema }

// Evaluate starts a plugin call. args are the call's arguments; in is read to
// its end by a background sender. Errors name the plugin.
func (h *Host) Evaluate(ctx context.Context, name string, args []sdk.Arg, in Input, mem memory.Allocator) (*Output, error) {
	desc, err := h.Describe(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := checkArgs(desc, args); err != nil {
		return nil, err
	}
	schema, err := desc.OutputSchema(in.Schema(), desc.ArgsFrom(args))
	if err != nil {
		return nil, err
	}
	p, err := h.start(ctx, name)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, h.opts.Timeout)
	stream, err := p.rpc.Evaluate(cctx, wire.CallOptions()...)
	if err != nil {
		cancel()
		h.stop(name, p)
		return nil, h.failure(name, p, cctx, err)
	}
	sb, err := wire.EncodeSchema(in.Schema(), mem)
	if err != nil {
		cancel()
		return nil, err
	}
	call := &pb.Call{InputSchema: sb}
	for _, a := range args {
		call.Args = append(call.Args, &pb.Arg{Name: a.Name, Kind: a.Kind, Value: a.Value})
	}
	shmDir := ""
	_, minor := p.described()
	if minor >= wire.MinorShm && !h.opts.NoSharedMemory {
		// Shared memory is an optimisation: without a directory the batches go inline.
		if d, err := p.callDir(name); err == nil {
			shmDir = d
			call.Args = append(call.Args, &pb.Arg{Name: wire.ArgShmDir, Kind: "string", Value: d})
		}
	}
	useArena, cell := false, wire.Cell{}
	if shmDir != "" && minor >= wire.MinorArena && p.arenaIn != nil {
		// Without a free cell the call goes through files.
		if cell, useArena = p.arenaIn.AllocCell(); useArena {
			call.Args = append(call.Args, &pb.Arg{Name: wire.ArgArena, Kind: "string", Value: cell.String()})
		}
	}
	if err := stream.Send(&pb.Frame{Kind: &pb.Frame_Call{Call: call}}); err != nil {
		cancel()
		h.stop(name, p)
		return nil, h.failure(name, p, cctx, err)
	}
	o := &Output{name: name, h: h, p: p, ctx: cctx, cancel: cancel, stream: stream, schema: schema, mem: mem, sendErr: make(chan error, 1), sent: make(chan struct{}), shmDir: shmDir, arena: useArena, cell: cell}
	if shmDir != "" && minor >= wire.MinorRefs && !h.opts.NoReferences {
		o.refs, o.retained = true, map[int64]arrow.Record{}
	}
	go o.send(in)
	return o, nil
}

func checkArgs(desc *sdk.Description, args []sdk.Arg) error {
	known := map[string]bool{}
	for _, p := range desc.Params {
		known[p.Name] = true
	}
	given := map[string]bool{}
	for _, a := range args {
		if !known[a.Name] {
			return fmt.Errorf("plugin %s has no parameter %s; it takes %s", desc.Name, a.Name, signature(desc))
		}
		given[a.Name] = true
	}
	for _, p := range desc.Params {
		if !p.Optional && !given[p.Name] {
			return fmt.Errorf("plugin %s needs argument %s; it takes %s", desc.Name, p.Name, signature(desc))
		}
	}
	return nil
}

func signature(d *sdk.Description) string {
	var parts []string
	for _, p := range d.Params {
		s := p.Name + ":" + p.Type
		if p.Optional {
			s = "[" + s + "]"
		}
		parts = append(parts, s)
	}
	return d.Name + "(" + strings.Join(parts, ", ") + ")"
}

// send streams the input to the plugin, then closes the sending side.
func (o *Output) send(in Input) {
	defer close(o.sent)
	var shm *wire.Writer
	if o.shmDir != "" {
		var aw *wire.ArenaWriter
		if o.arena {
			aw = wire.NewInputWriter(o.p.arenaIn, o.cell, o.mem)
		}
		shm = wire.NewWriter(aw, o.shmDir, o.mem)
		defer shm.Abort()
	}
	// seq numbers the records sent; a file whose records are kept for
	// reference columns (retainFile) starts at record fileFirst.
	var seq, fileFirst int64
	retainFile := false
	// flush sends the grouped shared-memory batches; false when the stream broke.
	flush := func() (bool, error) {
		if shm == nil || !shm.Pending() {
			return true, nil
		}
		ref, err := shm.Flush()
		if err != nil {
			return false, err
		}
		frame := ref
		if retainFile {
			frame = wire.RetainedFrame(fileFirst, ref)
		}
		if err := o.stream.Send(&pb.Frame{Kind: &pb.Frame_Batch{Batch: frame}}); err != nil {
			shm.Discard(ref)
			return false, nil
		}
		return true, nil
	}
	err := func() error {
		for {
			rec, err := in.Next(o.ctx)
			if err != nil {
				return err
			}
			if rec == nil {
				break
			}
			if rec.NumRows() == 0 {
				rec.Release()
				continue
			}
			if shm != nil {
				if shm.Pending() && !shm.Fits(rec) {
					if ok, err := flush(); !ok {
						rec.Release()
						return err
					}
				}
				if !shm.Pending() {
					fileFirst, retainFile = seq, o.refs && o.retainedSize() < RetainInputBytes
				}
				err := shm.Write(rec)
				if retainFile && err == nil {
					o.retain(seq, rec) // takes over the reference
				} else {
					rec.Release()
				}
				seq++
				if err != nil {
					return err
				}
				if shm.Full() {
					if ok, err := flush(); !ok {
						return err // nil: the receiving side reports what went wrong
					}
				}
				continue
			}
			b, err := wire.EncodeRecord(rec, o.mem)
			rec.Release()
			seq++
			if err != nil {
				return err
			}
			if err := o.stream.Send(&pb.Frame{Kind: &pb.Frame_Batch{Batch: b}}); err != nil {
				return nil // the receiving side reports what went wrong
			}
		}
		if ok, err := flush(); !ok {
			return err
		}
		if err := o.stream.Send(&pb.Frame{Kind: &pb.Frame_End{End: true}}); err != nil {
			return nil
		}
		return o.stream.CloseSend()
	}()
	o.sendErr <- err
	if err != nil {
		o.cancel()
	}
}

func (o *Output) retain(seq int64, rec arrow.Record) {
	o.mu.Lock()
	o.retained[seq] = rec
	o.retainedBytes += wire.RecordBytes(rec)
	o.mu.Unlock()
}

func (o *Output) retainedSize() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.retainedBytes
}

// input returns the retained input record number seq (not retained again).
func (o *Output) input(seq int64) arrow.Record {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.retained[seq]
}

// Next returns the next output record, or (nil, nil) at the end.
func (o *Output) Next() (arrow.Record, error) {
	for {
		if o.done {
			return nil, nil
		}
		if o.refBatch != nil {
			rec, err := o.nextRef()
			if err != nil {
				return nil, o.fail(err)
			}
			if rec != nil {
				return o.check(rec)
			}
			continue
		}
		if o.pending != nil {
			rec, err := o.pending.Next()
			if err != nil {
				o.pending = nil
				return nil, o.fail(fmt.Errorf("plugin %s sent data that is not Arrow: %v", o.name, err))
			}
			if rec != nil {
				return o.check(rec)
			}
			o.pending = nil
		}
		f, err := o.stream.Recv()
		if err != nil {
			o.done = true
			select {
			case serr := <-o.sendErr:
				if serr != nil {
					return nil, fmt.Errorf("reading the input of plugin %s: %w", o.name, serr)
				}
			default:
			}
			if errors.Is(err, io.EOF) {
				o.h.stop(o.name, o.p)
				return nil, fmt.Errorf("plugin %s closed the call without finishing it", o.name)
			}
			o.h.stop(o.name, o.p)
			return nil, o.h.failure(o.name, o.p, o.ctx, err)
		}
		switch k := f.Kind.(type) {
		case *pb.Frame_Batch:
			if wire.IsRefFrame(k.Batch) {
				if !o.refs {
					return nil, o.fail(fmt.Errorf("plugin %s sent reference columns on a call without them", o.name))
				}
				rb, err := wire.ParseRefFrame(k.Batch)
				if err != nil {
					return nil, o.fail(fmt.Errorf("plugin %s: %v", o.name, err))
				}
				o.refBatch = &refBatch{rb: rb}
				if rb.Name != "" {
					if o.refBatch.data, err = o.open(rb.ShmRef()); err != nil {
						o.refBatch = nil
						return nil, o.fail(err)
					}
				}
				continue
			}
			if wire.IsShmRef(k.Batch) {
				if o.shmDir == "" {
					return nil, o.fail(fmt.Errorf("plugin %s sent a shared-memory batch on a call without shared memory", o.name))
				}
				if o.pending, err = o.open(k.Batch); err != nil {
					return nil, o.fail(err)
				}
				continue
			}
			rec, err := wire.DecodeRecord(k.Batch, o.mem)
			if err != nil {
				return nil, o.fail(fmt.Errorf("plugin %s sent data that is not Arrow: %v", o.name, err))
			}
			return o.check(rec)
		case *pb.Frame_Error:
			o.done = true
			return nil, fmt.Errorf("plugin %s: %s", o.name, k.Error.Message)
		case *pb.Frame_End:
			o.done = true
			return nil, nil
		}
		return nil, o.fail(fmt.Errorf("plugin %s sent an unknown message", o.name))
	}
}

// nextRef builds the next record of a reference frame: its data columns
// from the file, the others from the retained input records. nil at the
// end of the frame.
func (o *Output) nextRef() (arrow.Record, error) {
	b := o.refBatch
	var data arrow.Record
	if b.data != nil {
		var err error
		if data, err = b.data.Next(); err != nil {
			o.refBatch = nil
			return nil, fmt.Errorf("plugin %s sent data that is not Arrow: %v", o.name, err)
		}
		if data != nil {
			defer data.Release()
		}
	}
	if b.next == len(b.rb.Recs) {
		o.refBatch = nil
		if data != nil {
			return nil, fmt.Errorf("plugin %s sent more records than its reference frame lists", o.name)
		}
		return nil, nil
	}
	if b.data != nil && data == nil {
		o.refBatch = nil
		return nil, fmt.Errorf("plugin %s sent fewer records than its reference frame lists", o.name)
	}
	seq := b.rb.Recs[b.next]
	b.next++
	in := o.input(seq)
	if in == nil {
		o.refBatch = nil
		return nil, fmt.Errorf("plugin %s referred to input record %d, which it was not given for reference", o.name, seq)
	}
	cols := make([]arrow.Array, len(b.rb.Cols))
	fields := make([]arrow.Field, len(b.rb.Cols))
	nd := 0
	for i, c := range b.rb.Cols {
		switch {
		case c < 0 && data != nil && nd < int(data.NumCols()):
			cols[i], fields[i] = data.Column(nd), data.Schema().Field(nd)
			nd++
		case c >= 0 && c < int(in.NumCols()):
			cols[i], fields[i] = in.Column(c), in.Schema().Field(c)
		default:
			o.refBatch = nil
			return nil, fmt.Errorf("plugin %s sent a reference frame that does not match its data", o.name)
		}
	}
	if data != nil && (nd != int(data.NumCols()) || data.NumRows() != in.NumRows()) {
		o.refBatch = nil
		return nil, fmt.Errorf("plugin %s sent a reference frame that does not match its data", o.name)
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, in.NumRows()), nil
}

// open reads the batches a shared-memory frame names: a file, or a slot of
// the output arena (copied into Go memory and given back at once).
func (o *Output) open(ref []byte) (*wire.ShmReader, error) {
	var arena *wire.Arena
	if o.arena {
		arena = o.p.arenaOut
	}
	var pin func(wire.ArenaRef) (*memory.Buffer, error)
	if arena != nil && !o.h.opts.CopyOutput {
		pin = o.pin
	}
	r, err := wire.OpenOutput(o.shmDir, arena, ref, o.mem, pin)
	if errors.Is(err, wire.ErrBadArenaRef) {
		return nil, fmt.Errorf("plugin %s sent a bad shared-arena descriptor: %v", o.name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("plugin %s sent data that is not Arrow: %v", o.name, err)
	}
	return r, nil
}

// pin lends the call an output slot (nil: copy it instead).
func (o *Output) pin(r wire.ArenaRef) (*memory.Buffer, error) {
	out := o.p.arenaOut
	o.pinMu.Lock()
	if o.ended || o.pinnedBytes+r.Len > out.Max()/callPinShare {
		o.pinMu.Unlock()
		return nil, nil
	}
	o.pins++
	o.pinnedBytes += r.Len
	o.pinMu.Unlock()
	buf, ok, err := out.Pin(r, out.Max()/arenaPinShare, o.unpinned)
	if !ok || err != nil {
		o.unpinned(r.Len)
		return nil, err
	}
	return buf, nil
}

// unpinned runs when the last reference to a pinned slot is released
// (from any goroutine); the last one after Close ends the call's cell.
func (o *Output) unpinned(n int64) {
	o.pinMu.Lock()
	o.pins--
	o.pinnedBytes -= n
	end := o.ended && o.pins == 0
	o.pinMu.Unlock()
	if end {
		o.p.arenaIn.EndCall(o.cell)
	}
}

// fail ends the call on a protocol violation, stopping the plugin process.
func (o *Output) fail(err error) error {
	o.done = true
	o.h.stop(o.name, o.p)
	return err
}

// check verifies an output record against the declared schema.
func (o *Output) check(rec arrow.Record) (arrow.Record, error) {
	if err := sameSchema(o.schema, rec.Schema()); err != nil {
		rec.Release()
		return nil, o.fail(fmt.Errorf("plugin %s returned a schema other than the one it declared: %v", o.name, err))
	}
	if !rec.Schema().Equal(o.schema) {
		// Same names and KQL kinds; rebind to the declared schema.
		out := arrowRecord(o.schema, rec.Columns(), rec.NumRows())
		rec.Release()
		rec = out
	}
	return rec, nil
}

// Close ends the call. It returns once the input is no longer being read,
// so the caller may then close the input.
func (o *Output) Close() {
	o.cancel()
	<-o.sent
	if o.pending != nil {
		o.pending.Close()
		o.pending = nil
	}
	if o.refBatch != nil && o.refBatch.data != nil {
		o.refBatch.data.Close()
	}
	o.refBatch = nil
	o.mu.Lock()
	for _, rec := range o.retained {
		rec.Release()
	}
	o.retained, o.retainedBytes = nil, 0
	o.mu.Unlock()
	if o.shmDir != "" {
		os.RemoveAll(o.shmDir)
	}
	if o.arena {
		// The output slots not read are the plugin's again (once no record
		// aliases a slot of the call); the input slots are the host's once
		// the plugin says it is done with them.
		o.arena = false
		o.pinMu.Lock()
		o.ended = true
		end := o.pins == 0
		o.pinMu.Unlock()
		if end {
			o.p.arenaIn.EndCall(o.cell)
		}
	}
}

func sameSchema(want, got *arrow.Schema) error {
	describe := func(s *arrow.Schema) string {
		var parts []string
		for _, f := range s.Fields() {
			parts = append(parts, f.Name+":"+kernels.KindOf(f).String())
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	if want.NumFields() != got.NumFields() {
		return fmt.Errorf("got %s, declared %s", describe(got), describe(want))
	}
	for i := range want.Fields() {
		wf, gf := want.Field(i), got.Field(i)
		if wf.Name != gf.Name || kernels.KindOf(wf) != kernels.KindOf(gf) || !arrow.TypeEqual(wf.Type, gf.Type) {
			return fmt.Errorf("got %s, declared %s", describe(got), describe(want))
		}
	}
	return nil
}
