package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	plugin "github.com/hashicorp/go-plugin"

	"github.com/kqlhunt/kqlhunt/plugins/internal/pb"
	"github.com/kqlhunt/kqlhunt/plugins/internal/wire"
)

// Serve runs d as a plugin process. It does not return while the host is
// connected. Call it from main.
func Serve(d Detector) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: wire.Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{
			wire.ProtocolVersion: {wire.PluginName: &wire.GRPCPlugin{Impl: NewServer(d)}},
		},
		GRPCServer: wire.ServerOptions,
	})
}

// NewServer adapts a Detector to the gRPC service. Exported for tests that
// run a detector in process (plugin.TestPluginGRPCConn).
func NewServer(d Detector) pb.DetectorServer { return &server{d: d} }

type server struct {
	pb.UnimplementedDetectorServer
	d Detector
}

func (s *server) Describe(_ context.Context, _ *pb.DescribeRequest) (*pb.Description, error) {
	desc := s.d.Describe()
	out := &pb.Description{Name: desc.Name, Version: desc.Version, Description: desc.Description, KeepInput: desc.KeepInput, Minor: wire.Minor}
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
	shmDir := ""
	for _, a := range call.Args {
		if a.Name == wire.ArgShmDir {
			shmDir = a.Value // the host offers the shared-memory data plane
			continue
		}
		args = append(args, Arg{Name: a.Name, Kind: a.Kind, Value: a.Value})
	}
	c := &Call{Args: desc.ArgsFrom(args), Input: schema, Mem: mem, params: desc.Params}
	in := &streamInput{stream: stream, mem: mem, shmDir: shmDir}
	defer in.close()
	out := &streamOutput{stream: stream, mem: mem, shmDir: shmDir}
	if shmDir != "" {
		out.shm = wire.NewShmWriter(shmDir, mem)
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
}

func (in *streamInput) close() {
	if in.pending != nil {
		in.pending.Close()
		in.pending = nil
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
			if !wire.IsShmRef(k.Batch) {
				return wire.DecodeRecord(k.Batch, in.mem)
			}
			if in.pending, err = wire.OpenShm(in.shmDir, k.Batch, in.mem); err != nil {
				return nil, err
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
	shm    *wire.ShmWriter // nil: batches go inline
}

func (o *streamOutput) Emit(rec arrow.Record) error {
	if rec.NumRows() == 0 {
		return nil
	}
	if o.shm != nil {
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

// flush sends the grouped shared-memory batches, if any.
func (o *streamOutput) flush() error {
	if o.shm == nil || !o.shm.Pending() {
		return nil
	}
	ref, err := o.shm.Flush()
	if err != nil {
		return err
	}
	if err := o.stream.Send(&pb.Frame{Kind: &pb.Frame_Batch{Batch: ref}}); err != nil {
		wire.Discard(o.shmDir, ref)
		return err
	}
	return nil
}
