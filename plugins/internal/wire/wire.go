// Package wire holds what the plugin host and the SDK must agree on: the
// go-plugin handshake, the plugin map, and the Arrow IPC framing of batches.
package wire

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/kqlhunt/kqlhunt/plugins/internal/pb"
)

// ProtocolVersion is the major protocol version negotiated by go-plugin.
// A newer host keeps serving older major versions in VersionedPlugins.
const ProtocolVersion = 1

// Minor is the protocol minor version this build speaks; Describe carries it
// so additive features can be negotiated without a new major version.
const Minor = 4

// PluginName is the key of the detector in go-plugin's plugin map.
const PluginName = "detector"

// MaxMessageBytes bounds one gRPC message (one Arrow batch).
const MaxMessageBytes = 256 << 20

// Handshake is the go-plugin handshake. The cookie keeps a plugin binary
// from being run by hand by mistake; it is not a security measure.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "KQLHUNT_PLUGIN",
	MagicCookieValue: "4d2f7c1e-detector",
}

// GRPCPlugin adapts a pb.DetectorServer to go-plugin.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl pb.DetectorServer // set on the plugin side only
}

// GRPCServer registers the detector service.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterDetectorServer(s, p.Impl)
	return nil
}

// GRPCClient returns the client stub.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return pb.NewDetectorClient(c), nil
}

var _ plugin.GRPCPlugin = (*GRPCPlugin)(nil)

// ServerOptions are the gRPC options both sides use for large batches.
func ServerOptions(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts, grpc.MaxRecvMsgSize(MaxMessageBytes), grpc.MaxSendMsgSize(MaxMessageBytes),
		grpc.InitialWindowSize(windowBytes), grpc.InitialConnWindowSize(windowBytes),
		grpc.WriteBufferSize(ioBufferBytes), grpc.ReadBufferSize(ioBufferBytes))
	return grpc.NewServer(opts...)
}

// windowBytes is the HTTP/2 flow-control window of both sides: the default
// (64 KiB, grown by BDP estimation) costs a round trip per few batches'
// worth of bytes on a local socket.
const windowBytes = 32 << 20

// ioBufferBytes sizes gRPC's socket read and write buffers.
const ioBufferBytes = 1 << 20

// DialOptions are the host's gRPC dial options (go-plugin's GRPCDialOptions).
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithInitialWindowSize(windowBytes), grpc.WithInitialConnWindowSize(windowBytes),
		grpc.WithWriteBufferSize(ioBufferBytes), grpc.WithReadBufferSize(ioBufferBytes),
	}
}

// CallOptions are the per-call options of the host.
func CallOptions() []grpc.CallOption {
	return []grpc.CallOption{grpc.MaxCallRecvMsgSize(MaxMessageBytes), grpc.MaxCallSendMsgSize(MaxMessageBytes)}
}

// EncodeRecord writes rec as a self-contained Arrow IPC stream (schema + one batch).
func EncodeRecord(rec arrow.Record, mem memory.Allocator) ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	if err := w.Write(rec); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EncodeSchema writes an Arrow IPC stream holding only a schema.
func EncodeSchema(s *arrow.Schema, mem memory.Allocator) ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(s), ipc.WithAllocator(mem))
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeSchema reads the schema of an Arrow IPC stream.
func DecodeSchema(b []byte, mem memory.Allocator) (*arrow.Schema, error) {
	r, err := ipc.NewReader(bytes.NewReader(b), ipc.WithAllocator(mem))
	if err != nil {
		return nil, fmt.Errorf("bad Arrow IPC schema: %w", err)
	}
	defer r.Release()
	return r.Schema(), nil
}

// DecodeRecord reads the single batch of an Arrow IPC stream written by
// EncodeRecord. The caller owns (and releases) the record.
func DecodeRecord(b []byte, mem memory.Allocator) (arrow.Record, error) {
	r, err := ipc.NewReader(bytes.NewReader(b), ipc.WithAllocator(mem))
	if err != nil {
		return nil, fmt.Errorf("bad Arrow IPC batch: %w", err)
	}
	defer r.Release()
	if !r.Next() {
		if r.Err() != nil {
			return nil, fmt.Errorf("bad Arrow IPC batch: %w", r.Err())
		}
		return nil, fmt.Errorf("bad Arrow IPC batch: no record")
	}
	rec := r.Record()
	rec.Retain()
	return rec, nil
}
