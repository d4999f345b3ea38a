// Package plugins is the root of kqlhunt's detector plugins: out-of-process
// detectors started through hashicorp/go-plugin over gRPC, exchanging Arrow
// IPC record batches, invoked from a query as `T | evaluate name(args)`.
//
//   - sdk: what a detector author imports (Detector, Serve).
//   - host: discovery, checksum verification, launch, calls with timeouts.
//   - internal/pb: the generated gRPC protocol (detector.proto).
//   - internal/wire: handshake and Arrow IPC framing shared by both sides.
//   - detectors: the built-in detectors, shipped inside the kqlhunt binary.
//   - examples: an example plugin to copy.
package plugins
