package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	plugin "github.com/hashicorp/go-plugin"

	"github.com/kqlhunt/kqlhunt/plugins/internal/pb"
	"github.com/kqlhunt/kqlhunt/plugins/internal/wire"
)

// Serve runs d as a plugin process. It does not return while the host is
// connected. Call it from main.
func Serve(d Detector) {
	setGCFloor()
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: wire.Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{
			wire.ProtocolVersion: {wire.PluginName: &wire.GRPCPlugin{Impl: NewServer(d)}},
		},
		GRPCServer: wire.ServerOptions,
	})
}

// gcFloor is never touched: it raises the collector's heap goal by its
// size, so a plugin process whose live heap is a few megabytes does not
// collect every few megabytes it allocates (an engine process running the
// same work in process has a heap of its own data and collects far less
// often per byte). Fresh from the OS and never written, it costs address
// space, not memory; with a large live heap it changes little.
var gcFloor []byte

// GCFloorBytes is the size of gcFloor (at most a sixteenth of GOMEMLIMIT);
// none when GOGC is set, which leaves the collector to the user.
const GCFloorBytes = 64 << 20

func setGCFloor() {
	if os.Getenv("GOGC") != "" || os.Getenv("KQLHUNT_PLUGIN_NO_GC_FLOOR") != "" {
		return
	}
	n := int64(GCFloorBytes)
	if limit := debug.SetMemoryLimit(-1); limit > 0 && limit/16 < n {
		n = limit / 16
	}
	gcFloor = make([]byte, n)
}

// NewServer adapts a Detector to the gRPC service. Exported for tests that
// run a detector in process (plugin.TestPluginGRPCConn).
func NewServer(d Detector) pb.DetectorServer {
	in, out := processArenas()
	return &server{d: d, arenaIn: in, arenaOut: out}
}

type server struct {
	pb.UnimplementedDetectorServer
	d Detector
	// arenaIn and arenaOut are the process's shared arenas (nil without).
	arenaIn, arenaOut *wire.Arena
}

var arenas struct {
	once    sync.Once
	in, out *wire.Arena
}

// processArenas maps the shared arenas the host passed to this process,
// once. Without them (an older host, or a failure) the plugin says minor 3.
func processArenas() (in, out *wire.Arena) {
	arenas.once.Do(func() {
		env := os.Getenv(wire.EnvArena)
		if env == "" {
			return
		}
		os.Unsetenv(wire.EnvArena) // not for the plugin's own children
		var err error
		if arenas.in, arenas.out, err = wire.OpenArenaPair(env); err != nil {
			fmt.Fprintf(os.Stderr, "kqlhunt plugin: no shared arenas, batches go through files: %v\n", err)
		}
	})
	return arenas.in, arenas.out
}

func (s *server) Describe(_ context.Context, _ *pb.DescribeRequest) (*pb.Description, error) {
	desc := s.d.Describe()
	minor := uint32(wire.Minor)
	if s.arenaIn == nil {
		minor = wire.MinorRefs
	}
	out := &pb.Description{Name: desc.Name, Version: desc.Version, Description: desc.Description, KeepInput: desc.KeepInput, Minor: minor}
	for _, p := range desc.Params {
		out.Params = append(out.Params, &pb.Param{Name: p.Name, Type: p.Type, Optional: p.Optional, Default: p.Default, Description: p.Description})
	}
	for _, c := range desc.Columns {
		out.Columns = append(out.Columns, &pb.Column{Name: c.Name, Type: c.Type})
	}
	return out, nil
}

func (s *server) Evaluate(stream pb.Detector_EvaluateServer) error {
	ctx := stream.Context()
	mem := memory.NewGoAllocator()
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	call := first.GetCall()
	if call == nil {
		return sendErr(stream, "protocol error: the first message must be a call")
	}
	schema, err := wire.DecodeSchema(call.InputSchema, mem)
	if err != nil {
		return sendErr(stream, err.Error())
	}
	desc := s.d.Describe()
	var args []Arg
	shmDir, arenaCell := "", ""
	for _, a := range call.Args {
		switch a.Name {
		case wire.ArgShmDir:
			shmDir = a.Value // the host offers the shared-memory data plane
			continue
		case wire.ArgArena:
			arenaCell = a.Value // and the shared arenas
			continue
		}
		args = append(args, Arg{Name: a.Name, Kind: a.Kind, Value: a.Value})
	}
	c := &Call{Args: desc.ArgsFrom(args), Input: schema, Mem: mem, params: desc.Params}
	in := &streamInput{stream: stream, mem: mem, shmDir: shmDir}
	if arenaCell != "" && shmDir != "" && s.arenaIn != nil {
		cell, err := wire.ParseCell(arenaCell)
		if err != nil {
			return sendErr(stream, "protocol error: "+err.Error())
		}
		in.arena, in.cell = s.arenaIn, cell
	}
	defer in.close()
	out := &streamOutput{stream: stream, mem: mem, shmDir: shmDir, in: in}
	if shmDir != "" {
		var aw *wire.ArenaWriter
		if in.arena != nil {
			aw = wire.NewOutputWriter(s.arenaOut, s.arenaIn, in.cell, mem)
		}
		out.shm = wire.NewWriter(aw, shmDir, mem)
		defer out.shm.Abort()
	}
	if err := s.d.Evaluate(ctx, c, in, out); err != nil {
		return sendErr(stream, err.Error())
	}
	if err := out.flush(); err != nil {
		return sendErr(stream, err.Error())
	}
	// Drain input the detector did not read, so the host's sender finishes.
	for !in.done {
		rec, err := in.Next(ctx)
		if err != nil {
			return sendErr(stream, err.Error())
		}
		if rec == nil {
			break
		}
		rec.Release()
	}
	in.close() // input records are invalid once Evaluate has returned
	return stream.Send(&pb.Frame{Kind: &pb.Frame_End{End: true}})
}

func sendErr(stream pb.Detector_EvaluateServer, msg string) error {
	return stream.Send(&pb.Frame{Kind: &pb.Frame_Error{Error: &pb.Diagnostic{Message: msg}}})
}

type streamInput struct {
	stream  pb.Detector_EvaluateServer
	mem     memory.Allocator
	shmDir  string
	pending *wire.ShmReader // the shared-memory file being read
	done    bool
	// mapped are the files whose records alias their mapping, unmapped when
	// the call ends; mappedBytes their size, bounded by MappedInputBytes.
	mapped      []*wire.ShmReader
	mappedBytes int
	// pendingFirst is the number of the pending file's next record when the
	// host keeps that file's records for reference columns (-1 otherwise);
	// refs finds the arrays of those records, for streamOutput.
	pendingFirst int64
	refs         map[*array.Data]inputColumn
	// arena is the input arena when the call uses it (cell its cell): the
	// slots stay the plugin's until close releases the cell.
	arena *wire.Arena
	cell  wire.Cell
}

// inputColumn is column col of the host's input record seq.
type inputColumn struct {
	seq int64
	col int
}

// MappedInputBytes bounds the input a call keeps mapped: past it, the input
// files are read into Go's heap instead (one copy, no per-buffer copies).
const MappedInputBytes = 512 << 20

// close ends the call's input: records from mapped files are invalid after it.
func (in *streamInput) close() {
	if in.pending != nil {
		in.pending.Close()
		in.pending = nil
	}
	for _, r := range in.mapped {
		r.Unmap()
	}
	in.mapped, in.mappedBytes = nil, 0
	in.refs = nil
	in.done = true
	if in.arena != nil {
		in.arena.EndInput(in.cell) // the host may reuse the call's input slots
		in.arena = nil
	}
}

func (in *streamInput) Next(ctx context.Context) (arrow.Record, error) {
	for {
		if in.done {
			return nil, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if in.pending != nil {
			rec, err := in.pending.Next()
			if rec != nil && in.pendingFirst >= 0 {
				if in.refs == nil {
					in.refs = map[*array.Data]inputColumn{}
				}
				for i, c := range rec.Columns() {
					if d, ok := c.Data().(*array.Data); ok {
						in.refs[d] = inputColumn{seq: in.pendingFirst, col: i}
					}
				}
				in.pendingFirst++
			}
			if err != nil || rec != nil {
				return rec, err
			}
			in.pending = nil
		}
		f, err := in.stream.Recv()
		if errors.Is(err, io.EOF) {
			in.done = true
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		switch k := f.Kind.(type) {
		case *pb.Frame_Batch:
			ref := k.Batch
			first, plain, retained, err := wire.ParseRetained(ref)
			if err != nil {
				return nil, err
			}
			if retained {
				ref = plain
			}
			if !retained && !wire.IsShmRef(ref) {
				return wire.DecodeRecord(ref, in.mem)
			}
			// The call's lifetime is known here: records alias the mapped
			// file, or the arena slot, until Evaluate returns.
			slot := wire.IsArenaRef(ref)
			mapped := slot || in.mappedBytes < MappedInputBytes
			if in.pending, err = wire.OpenBatch(in.shmDir, in.arena, ref, in.mem, mapped); err != nil {
				return nil, err
			}
			in.pending.TrustOffsets() // the host wrote it
			// Reference columns only from mapped files and slots: the map
			// keeps the arrays reachable, which costs nothing more for a
			// mapping.
			in.pendingFirst = -1
			if retained && mapped {
				in.pendingFirst = first
			}
			if mapped && !slot {
				in.mapped = append(in.mapped, in.pending)
				in.mappedBytes += in.pending.Bytes()
			}
		case *pb.Frame_End:
			in.done = true
			return nil, nil
		default:
			return nil, fmt.Errorf("protocol error: unexpected %T from host", f.Kind)
		}
	}
}

type streamOutput struct {
	stream pb.Detector_EvaluateServer
	mem    memory.Allocator
	shmDir string
	shm    *wire.Writer // nil: batches go inline
	in     *streamInput
	// refCols is the column layout of the reference frame being grouped
	// (nil: a plain file), refRecs the input record of each of its records.
	refCols []int
	refRecs []int64
}

// maxRefRecords bounds the records of one reference frame.
const maxRefRecords = 1024

func (o *streamOutput) Emit(rec arrow.Record) error {
	if rec.NumRows() == 0 {
		return nil
	}
	if o.shm != nil {
		if cols, seq := o.match(rec); seq >= 0 {
			return o.emitRefs(rec, cols, seq)
		}
		if o.refCols != nil || !o.shm.Fits(rec) {
			if err := o.flush(); err != nil {
				return err
			}
		}
		if err := o.shm.Write(rec); err != nil {
			return err
		}
		if o.shm.Full() {
			return o.flush()
		}
		return nil
	}
	b, err := wire.EncodeRecord(rec, o.mem)
	if err != nil {
		return err
	}
	return o.stream.Send(&pb.Frame{Kind: &pb.Frame_Batch{Batch: b}})
}

// match finds the columns of rec that are columns of one input record the
// host kept: cols[i] is the input column index of column i (-1: not one),
// seq that record's number (-1: none).
func (o *streamOutput) match(rec arrow.Record) (cols []int, seq int64) {
	if len(o.in.refs) == 0 {
		return nil, -1
	}
	seq = -1
	cols = make([]int, rec.NumCols())
	for i, c := range rec.Columns() {
		cols[i] = -1
		d, ok := c.Data().(*array.Data)
		if !ok {
			continue
		}
		if r, ok := o.in.refs[d]; ok && (seq < 0 || r.seq == seq) && d.Len() == int(rec.NumRows()) {
			cols[i], seq = r.col, r.seq
		}
	}
	return cols, seq
}

// emitRefs groups a record with reference columns: only its other columns
// go into the file.
func (o *streamOutput) emitRefs(rec arrow.Record, cols []int, seq int64) error {
	var fields []arrow.Field
	var data []arrow.Array
	for i, c := range cols {
		if c < 0 {
			fields = append(fields, rec.Schema().Field(i))
			data = append(data, rec.Column(i))
		}
	}
	var part arrow.Record
	if len(data) > 0 {
		part = array.NewRecord(arrow.NewSchema(fields, nil), data, rec.NumRows())
		defer part.Release()
	}
	if (o.refCols != nil && !sameInts(cols, o.refCols)) || (o.refCols == nil && o.shm.Pending()) || (part != nil && !o.shm.Fits(part)) {
		if err := o.flush(); err != nil {
			return err
		}
	}
	if part != nil {
		if err := o.shm.Write(part); err != nil {
			return err
		}
	}
	o.refCols = cols
	o.refRecs = append(o.refRecs, seq)
	if o.shm.Full() || len(o.refRecs) >= maxRefRecords {
		return o.flush()
	}
	return nil
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// flush sends the grouped shared-memory batches, if any.
func (o *streamOutput) flush() error {
	if o.refCols != nil {
		rb := wire.RefBatch{Cols: o.refCols, Recs: o.refRecs}
		o.refCols, o.refRecs = nil, nil
		var ref []byte
		if o.shm.Pending() {
			var err error
			if ref, err = o.shm.Flush(); err != nil {
				return err
			}
			rb.Name = string(ref)
		}
		if err := o.stream.Send(&pb.Frame{Kind: &pb.Frame_Batch{Batch: rb.Encode()}}); err != nil {
			if ref != nil {
				o.shm.Discard(ref)
			}
			return err
		}
		return nil
	}
	if o.shm == nil || !o.shm.Pending() {
		return nil
	}
	ref, err := o.shm.Flush()
	if err != nil {
		return err
	}
	if err := o.stream.Send(&pb.Frame{Kind: &pb.Frame_Batch{Batch: ref}}); err != nil {
		o.shm.Discard(ref)
		return err
	}
	return nil
}
