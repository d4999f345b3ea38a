// Command testplugin is built once by the host tests and copied under several
// names; its behaviour follows its file name (kqlhunt-plugin-<behaviour>):
// echo (input back with a Score column), crash (dies after the first batch),
// hang (never answers), liar (declares one schema, returns another),
// failer (reports an error as data), legacy (speaks protocol minor 1: no
// shared memory; it fails the call if the host offers it anyway), minor2
// (shared memory, no reference columns: it fails the call if the host
// offers them), minor3 (reference columns, no shared arenas: it fails the
// call if the host offers them), badref (an echo whose reference frames
// point to an input record it was never given), badarena (an echo whose
// arena descriptors point past the end of its output arena).
package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	plugin "github.com/hashicorp/go-plugin"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/plugins/internal/pb"
	"github.com/kqlhunt/kqlhunt/plugins/internal/wire"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

type detector struct{ behaviour string }

func (d detector) Describe() sdk.Description {
	return sdk.Description{
		Name:      d.behaviour,
		Version:   "0.0.1",
		Params:    []sdk.Param{{Name: "factor", Type: "real", Optional: true, Default: "2"}},
		Columns:   []sdk.Column{{Name: "Score", Type: "real"}},
		KeepInput: true,
	}
}

func (d detector) Evaluate(ctx context.Context, call *sdk.Call, in sdk.Input, out sdk.Output) error {
	factor, err := call.Real("factor")
	if err != nil {
		return err
	}
	desc := d.Describe()
	schema, _ := call.OutputSchema(desc)
	for batch := 0; ; batch++ {
		rec, err := in.Next(ctx)
		if err != nil || rec == nil {
			return err
		}
		switch d.behaviour {
		case "crash":
			if batch == 1 {
				var m map[string]int
				m["simulated crash"]++ // a real bug: write to a nil map panics the process
			}
		case "hang":
			time.Sleep(time.Hour)
		case "failer":
			rec.Release()
			return errors.New("the input has no column I can score")
		case "liar":
			schema = arrow.NewSchema([]arrow.Field{kernels.Field("Surprise", types.String)}, nil)
			b := array.NewStringBuilder(call.Mem)
			for i := int64(0); i < rec.NumRows(); i++ {
				b.Append("boo")
			}
			col := b.NewArray()
			lie := array.NewRecord(schema, []arrow.Array{col}, rec.NumRows())
			err := out.Emit(lie)
			lie.Release()
			col.Release()
			b.Release()
			rec.Release()
			return err
		}
		b := array.NewFloat64Builder(call.Mem)
		for i := int64(0); i < rec.NumRows(); i++ {
			b.Append(float64(i) * factor)
		}
		score := b.NewArray()
		cols := append(append([]arrow.Array{}, rec.Columns()...), score)
		o := array.NewRecord(schema, cols, rec.NumRows())
		err = out.Emit(o)
		o.Release()
		score.Release()
		b.Release()
		rec.Release()
		if err != nil {
			return err
		}
	}
}

func main() {
	if path := os.Getenv("KQLHUNT_TESTPLUGIN_CPUPROFILE"); path != "" {
		// Profiles the plugin side of a benchmark for its first 4 seconds.
		if f, err := os.Create(path + "." + strconv.Itoa(os.Getpid())); err == nil {
			pprof.StartCPUProfile(f)
			time.AfterFunc(4*time.Second, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	name := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe"), "kqlhunt-plugin-")
	var srv pb.DetectorServer
	switch name {
	case "legacy":
		srv = legacy{sdk.NewServer(detector{behaviour: name}), 1}
	case "minor2":
		srv = legacy{sdk.NewServer(detector{behaviour: name}), 2}
	case "minor3":
		srv = legacy{sdk.NewServer(detector{behaviour: name}), 3}
	case "badref":
		srv = badref{sdk.NewServer(detector{behaviour: name})}
	case "badarena":
		srv = badarena{sdk.NewServer(detector{behaviour: name})}
	}
	if srv != nil {
		plugin.Serve(&plugin.ServeConfig{
			HandshakeConfig:  wire.Handshake,
			VersionedPlugins: map[int]plugin.PluginSet{wire.ProtocolVersion: {wire.PluginName: &wire.GRPCPlugin{Impl: srv}}},
			GRPCServer:       wire.ServerOptions,
		})
		return
	}
	sdk.Serve(detector{behaviour: name})
}

// legacy is a plugin built before the shared-memory data plane (minor 1)
// or before reference columns (minor 2).
type legacy struct {
	pb.DetectorServer
	minor uint32
}

func (l legacy) Describe(ctx context.Context, r *pb.DescribeRequest) (*pb.Description, error) {
	d, err := l.DetectorServer.Describe(ctx, r)
	if d != nil {
		d.Minor = l.minor
	}
	return d, err
}

func (l legacy) Evaluate(s pb.Detector_EvaluateServer) error {
	return l.DetectorServer.Evaluate(legacyStream{s, l.minor})
}

type legacyStream struct {
	pb.Detector_EvaluateServer
	minor uint32
}

func (s legacyStream) Recv() (*pb.Frame, error) {
	f, err := s.Detector_EvaluateServer.Recv()
	if c := f.GetCall(); c != nil && s.minor < wire.MinorArena {
		for _, a := range c.Args {
			if a.Name == wire.ArgArena {
				return nil, errors.New("a minor-3 plugin was offered shared arenas")
			}
		}
	}
	if b := f.GetBatch(); b != nil && s.minor < wire.MinorArena && wire.IsArenaRef(b) {
		return nil, errors.New("a minor-3 plugin was sent an arena slot")
	}
	if b := f.GetBatch(); b != nil && s.minor < wire.MinorRefs {
		if _, _, retained, _ := wire.ParseRetained(b); retained {
			return nil, errors.New("a minor-2 plugin was offered reference columns")
		}
	}
	if s.minor >= wire.MinorShm {
		return f, err
	}
	if c := f.GetCall(); c != nil {
		for _, a := range c.Args {
			if a.Name == wire.ArgShmDir {
				return nil, errors.New("a minor-1 plugin was offered shared memory")
			}
		}
	}
	if b := f.GetBatch(); b != nil && wire.IsShmRef(b) {
		return nil, errors.New("a minor-1 plugin was sent a shared-memory batch")
	}
	return f, err
}

// badref sends reference frames naming an input record it was not given.
type badref struct{ pb.DetectorServer }

func (b badref) Evaluate(s pb.Detector_EvaluateServer) error {
	return b.DetectorServer.Evaluate(badrefStream{s})
}

type badrefStream struct{ pb.Detector_EvaluateServer }

func (s badrefStream) Send(f *pb.Frame) error {
	if b := f.GetBatch(); b != nil && wire.IsRefFrame(b) {
		rb, err := wire.ParseRefFrame(b)
		if err != nil {
			return err
		}
		for i := range rb.Recs {
			rb.Recs[i] += 1000
		}
		if rb.Name != "" {
			rb.Name = string(rb.ShmRef())
		}
		f = &pb.Frame{Kind: &pb.Frame_Batch{Batch: rb.Encode()}}
	}
	return s.Detector_EvaluateServer.Send(f)
}

// badarena sends arena slots that lie outside its output arena.
type badarena struct{ pb.DetectorServer }

func (b badarena) Evaluate(s pb.Detector_EvaluateServer) error {
	return b.DetectorServer.Evaluate(badarenaStream{s})
}

type badarenaStream struct{ pb.Detector_EvaluateServer }

// outside moves an arena slot name's offset far past any arena.
func outside(name string) string {
	parts := strings.Split(name, ":")
	if len(parts) == 3 && strings.HasPrefix(name, "@") {
		parts[1] = strconv.FormatInt(1<<39, 10)
	}
	return strings.Join(parts, ":")
}

func (s badarenaStream) Send(f *pb.Frame) error {
	if b := f.GetBatch(); b != nil {
		switch {
		case wire.IsRefFrame(b):
			rb, err := wire.ParseRefFrame(b)
			if err != nil {
				return err
			}
			rb.Name = outside(rb.Name)
			f = &pb.Frame{Kind: &pb.Frame_Batch{Batch: rb.Encode()}}
		case wire.IsArenaRef(b):
			const magic = "KQLHUNT-SHM1:"
			f = &pb.Frame{Kind: &pb.Frame_Batch{Batch: []byte(magic + outside(strings.TrimPrefix(string(b), magic)))}}
		}
	}
	return s.Detector_EvaluateServer.Send(f)
}
