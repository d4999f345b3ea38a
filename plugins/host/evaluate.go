package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
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
	if _, minor := p.described(); minor >= wire.MinorShm && !h.opts.NoSharedMemory {
		// Shared memory is an optimisation: without a directory the batches go inline.
		if d, err := p.callDir(name); err == nil {
			shmDir = d
			call.Args = append(call.Args, &pb.Arg{Name: wire.ArgShmDir, Kind: "string", Value: d})
		}
	}
	if err := stream.Send(&pb.Frame{Kind: &pb.Frame_Call{Call: call}}); err != nil {
		cancel()
		h.stop(name, p)
		return nil, h.failure(name, p, cctx, err)
	}
	o := &Output{name: name, h: h, p: p, ctx: cctx, cancel: cancel, stream: stream, schema: schema, mem: mem, sendErr: make(chan error, 1), sent: make(chan struct{}), shmDir: shmDir}
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
	var shm *wire.ShmWriter
	if o.shmDir != "" {
		shm = wire.NewShmWriter(o.shmDir, o.mem)
		defer shm.Abort()
	}
	// flush sends the grouped shared-memory batches; false when the stream broke.
	flush := func() (bool, error) {
		if shm == nil || !shm.Pending() {
			return true, nil
		}
		ref, err := shm.Flush()
		if err != nil {
			return false, err
		}
		if err := o.stream.Send(&pb.Frame{Kind: &pb.Frame_Batch{Batch: ref}}); err != nil {
			wire.Discard(o.shmDir, ref)
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
				err := shm.Write(rec)
				rec.Release()
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

// Next returns the next output record, or (nil, nil) at the end.
func (o *Output) Next() (arrow.Record, error) {
	for {
		if o.done {
			return nil, nil
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
			if wire.IsShmRef(k.Batch) {
				if o.shmDir == "" {
					return nil, o.fail(fmt.Errorf("plugin %s sent a shared-memory batch on a call without shared memory", o.name))
				}
				if o.pending, err = wire.OpenShm(o.shmDir, k.Batch, o.mem); err != nil {
					return nil, o.fail(fmt.Errorf("plugin %s sent data that is not Arrow: %v", o.name, err))
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
	if o.shmDir != "" {
		os.RemoveAll(o.shmDir)
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
