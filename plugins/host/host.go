// Package host finds, verifies, starts and calls detector plugins. A plugin
// that crashes, hangs past its timeout, writes garbage or returns a schema
// other than the one it declared produces an error naming the plugin; the
// host stops that plugin process and keeps working (the next call starts a
// fresh one).
package host

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"

	"github.com/kqlhunt/kqlhunt/plugins/internal/pb"
	"github.com/kqlhunt/kqlhunt/plugins/internal/wire"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

// FilePrefix is the file name prefix of plugin executables: a plugin named
// rarity lives in a file kqlhunt-plugin-rarity.
const FilePrefix = "kqlhunt-plugin-"

// ManifestName is the checksum manifest in every plugin directory, in the
// format `sha256sum` writes: "<hex digest>  <file name>" per line.
const ManifestName = "SHA256SUMS"

// EnvDirs is the environment variable listing plugin directories (':'-separated).
const EnvDirs = "KQLHUNT_PLUGINS"

// Options configure a Host.
type Options struct {
	Dirs []string
	// Builtins maps a built-in plugin's name to the command that runs it
	// (kqlhunt re-executing itself in plugin mode).
	Builtins map[string]func() *exec.Cmd
	// Timeout bounds one Evaluate call (default 60s) and Describe (a tenth of it, at least 5s).
	Timeout time.Duration
	// MemoryLimit bounds a plugin process's address space in bytes (default 4 GiB; <0 disables).
	MemoryLimit int64
	// NoSharedMemory keeps every batch inline in the gRPC stream, even with
	// plugins that support the shared-memory data plane.
	NoSharedMemory bool
	// NoReferences keeps the host from offering reference columns (protocol
	// minor 3): plugins then send every output column's data.
	NoReferences bool
	// ArenaBytes limits each of a plugin process's two shared arenas
	// (protocol minor 4: input and output batches in memory mapped once
	// per process); default 256 MiB, at most an eighth of MemoryLimit;
	// <0 turns them off. Past it, batches go through files.
	ArenaBytes int64
	// CopyOutput copies every output slot of the arenas into Go memory
	// instead of lending it to the call's records (pinned until their last
	// release; see wire.Arena.Pin).
	CopyOutput bool
	// Log receives plugin stderr and lifecycle lines, prefixed with the plugin name.
	Log io.Writer
}

// DefaultArenaBytes is the default limit of each shared arena.
const DefaultArenaBytes = 256 << 20

// Info describes a discovered plugin.
type Info struct {
	Name    string
	Path    string // executable path; empty for built-ins
	Builtin bool
}

// Host manages plugin processes.
type Host struct {
	opts    Options
	infos   map[string]Info
	sums    map[string]string // path → expected sha256 hex
	selfSum []byte
	mu      sync.Mutex
	running map[string]*proc
}

type proc struct {
	client *plugin.Client
	rpc    pb.DetectorClient
	desc   *sdk.Description
	minor  uint32 // the plugin's protocol minor version (from Describe)
	stderr *tail
	// shmDir holds the shared-memory directories of this process's calls;
	// removed with the process. Empty until a call uses shared memory.
	// shmMu guards it, desc and minor.
	shmMu  sync.Mutex
	shmDir string
	// arenaIn and arenaOut are the process's shared arenas (nil without).
	arenaIn, arenaOut *wire.Arena
}

// kill stops the process and removes its shared-memory files and arenas.
func (p *proc) kill() {
	p.client.Kill()
	if p.arenaIn != nil {
		p.arenaIn.Close()
		p.arenaOut.Close()
	}
	p.shmMu.Lock()
	if p.shmDir != "" {
		os.RemoveAll(p.shmDir)
		p.shmDir = ""
	}
	p.shmMu.Unlock()
}

// described returns the cached description and protocol minor version.
func (p *proc) described() (*sdk.Description, uint32) {
	p.shmMu.Lock()
	defer p.shmMu.Unlock()
	return p.desc, p.minor
}

// callDir creates a shared-memory directory for one call.
func (p *proc) callDir(name string) (string, error) {
	p.shmMu.Lock()
	defer p.shmMu.Unlock()
	if p.shmDir == "" {
		d, err := wire.NewShmDir(name)
		if err != nil {
			return "", err
		}
		p.shmDir = d
	}
	return os.MkdirTemp(p.shmDir, "call-")
}

// DirsFromEnv returns the directories in $KQLHUNT_PLUGINS.
func DirsFromEnv() []string {
	var out []string
	for _, d := range filepath.SplitList(os.Getenv(EnvDirs)) {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// New discovers plugins in opts.Dirs. A directory that does not exist is an
// error; a plugin file without a manifest entry is listed and refused when
// started, with a message saying how to add it.
func New(opts Options) (*Host, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = 4 << 30
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.ArenaBytes == 0 {
		opts.ArenaBytes = DefaultArenaBytes
	}
	if opts.MemoryLimit > 0 && opts.ArenaBytes > opts.MemoryLimit/8 {
		opts.ArenaBytes = opts.MemoryLimit / 8
	}
	h := &Host{opts: opts, infos: map[string]Info{}, sums: map[string]string{}, running: map[string]*proc{}}
	for name := range opts.Builtins {
		h.infos[name] = Info{Name: name, Builtin: true}
	}
	for _, dir := range opts.Dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("plugin directory: %w", err)
		}
		if err := h.readManifest(dir); err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasPrefix(e.Name(), FilePrefix) {
				continue
			}
			name := strings.TrimSuffix(strings.TrimPrefix(e.Name(), FilePrefix), ".exe")
			if _, dup := h.infos[name]; dup {
				continue // built-ins and earlier directories win
			}
			h.infos[name] = Info{Name: name, Path: filepath.Join(dir, e.Name())}
		}
	}
	return h, nil
}

func (h *Host) readManifest(dir string) error {
	f, err := os.Open(filepath.Join(dir, ManifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || len(fields[0]) != 64 {
			return fmt.Errorf("%s:%d: expected \"<sha256 hex>  <file>\"", filepath.Join(dir, ManifestName), n)
		}
		h.sums[filepath.Join(dir, strings.TrimPrefix(fields[1], "*"))] = strings.ToLower(fields[0])
	}
	return sc.Err()
}

// Plugins lists the known plugins sorted by name.
func (h *Host) Plugins() []Info {
	out := make([]Info, 0, len(h.infos))
	for _, i := range h.infos {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// Has reports whether a plugin of that name is known.
func (h *Host) Has(name string) bool { _, ok := h.infos[name]; return ok }

// Close stops every plugin process.
func (h *Host) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, p := range h.running {
		p.kill()
		delete(h.running, name)
	}
}

// stop kills a plugin process after a failure so the next call starts afresh.
func (h *Host) stop(name string, p *proc) {
	h.mu.Lock()
	if h.running[name] == p {
		delete(h.running, name)
	}
	h.mu.Unlock()
	p.kill()
}

// start returns the running process of a plugin, starting it if needed.
func (h *Host) start(ctx context.Context, name string) (*proc, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p, ok := h.running[name]; ok {
		if !p.client.Exited() {
			return p, nil
		}
		// It died between calls: its arenas and files go with it (records
		// that alias its output arena keep that mapping until released).
		delete(h.running, name)
		p.kill()
	}
	info, ok := h.infos[name]
	if !ok {
		return nil, fmt.Errorf("no plugin named %s", name)
	}
	var cmd *exec.Cmd
	var sum []byte
	if info.Builtin {
		cmd = h.opts.Builtins[name]()
		var err error
		if sum, err = h.selfChecksum(cmd.Path); err != nil {
			return nil, fmt.Errorf("plugin %s: %w", name, err)
		}
	} else {
		want, ok := h.sums[info.Path]
		if !ok {
			return nil, fmt.Errorf("plugin %s: %s has no checksum in %s; after checking the file, add it with: (cd %s && sha256sum %s >> %s)",
				name, info.Path, ManifestName, filepath.Dir(info.Path), filepath.Base(info.Path), ManifestName)
		}
		var err error
		if sum, err = hex.DecodeString(want); err != nil {
			return nil, fmt.Errorf("plugin %s: bad checksum in %s", name, ManifestName)
		}
		cmd = exec.Command(info.Path)
	}
	cmd.Env = append(os.Environ(), "GOMEMLIMIT="+fmt.Sprint(max(h.opts.MemoryLimit*3/4, 64<<20)))
	// The shared arenas go to the process as inherited descriptors; one
	// that cannot use them says so by its protocol minor version.
	var arenaIn, arenaOut *wire.Arena
	if h.opts.ArenaBytes > 0 && !h.opts.NoSharedMemory {
		if in, out, err := wire.NewArenaPair(name, h.opts.ArenaBytes); err == nil {
			arenaIn, arenaOut = in, out
			fd := 3 + len(cmd.ExtraFiles)
			cmd.ExtraFiles = append(cmd.ExtraFiles, in.File(), out.File())
			cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d,%d", wire.EnvArena, fd, fd+1))
		}
	}
	closeArenas := func() {
		if arenaIn != nil {
			arenaIn.Close()
			arenaOut.Close()
		}
	}
	stderr := &tail{}
	logger := hclog.New(&hclog.LoggerOptions{Name: "plugin." + name, Output: h.opts.Log, Level: hclog.Warn})
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  wire.Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{wire.ProtocolVersion: {wire.PluginName: &wire.GRPCPlugin{}}},
		Cmd:              cmd,
		SecureConfig:     &plugin.SecureConfig{Checksum: sum, Hash: sha256.New()},
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           logger,
		Stderr:           stderr,
		SyncStderr:       io.MultiWriter(stderr, &prefixWriter{prefix: "plugin " + name + ": ", w: h.opts.Log}),
		StartTimeout:     max(h.opts.Timeout/4, 10*time.Second),
		GRPCDialOptions:  wire.DialOptions(),
	})
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		closeArenas()
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			return nil, fmt.Errorf("plugin %s: checksum of %s does not match %s; refusing to run it", name, cmd.Path, ManifestName)
		}
		return nil, fmt.Errorf("plugin %s did not start: %v%s", name, err, stderr.suffix())
	}
	if h.opts.MemoryLimit > 0 {
		if rc := client.ReattachConfig(); rc != nil {
			limitMemory(rc.Pid, uint64(h.opts.MemoryLimit))
		}
	}
	raw, err := rpcClient.Dispense(wire.PluginName)
	if err != nil {
		client.Kill()
		closeArenas()
		return nil, fmt.Errorf("plugin %s: %v", name, err)
	}
	p := &proc{client: client, rpc: raw.(pb.DetectorClient), stderr: stderr, arenaIn: arenaIn, arenaOut: arenaOut}
	h.running[name] = p
	return p, nil
}

func (h *Host) selfChecksum(path string) ([]byte, error) {
	if h.selfSum != nil {
		return h.selfSum, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := sha256.New()
	if _, err := io.Copy(s, f); err != nil {
		return nil, err
	}
	h.selfSum = s.Sum(nil)
	return h.selfSum, nil
}

// Describe returns a plugin's signature, starting it if needed.
func (h *Host) Describe(ctx context.Context, name string) (*sdk.Description, error) {
	p, err := h.start(ctx, name)
	if err != nil {
		return nil, err
	}
	if d, _ := p.described(); d != nil {
		return d, nil
	}
	dctx, cancel := context.WithTimeout(ctx, max(h.opts.Timeout/10, 5*time.Second))
	defer cancel()
	d, err := p.rpc.Describe(dctx, &pb.DescribeRequest{HostMinor: wire.Minor})
	if err != nil {
		h.stop(name, p)
		return nil, h.failure(name, p, dctx, err)
	}
	desc := &sdk.Description{Name: d.Name, Version: d.Version, Description: d.Description, KeepInput: d.KeepInput}
	for _, pa := range d.Params {
		desc.Params = append(desc.Params, sdk.Param{Name: pa.Name, Type: pa.Type, Optional: pa.Optional, Default: pa.Default, Description: pa.Description})
	}
	for _, c := range d.Columns {
		desc.Columns = append(desc.Columns, sdk.Column{Name: c.Name, Type: c.Type})
	}
	if desc.Name != name {
		h.stop(name, p)
		return nil, fmt.Errorf("plugin %s describes itself as %q; the file name and the plugin name must agree", name, desc.Name)
	}
	if _, err := desc.OutputSchema(nil, nil); err != nil {
		h.stop(name, p)
		return nil, err
	}
	p.shmMu.Lock()
	p.desc, p.minor = desc, d.Minor
	p.shmMu.Unlock()
	return desc, nil
}

// failure turns an RPC error into a message naming the plugin and what went wrong.
func (h *Host) failure(name string, p *proc, ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("plugin %s did not answer within its time limit; it was stopped", name)
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("plugin %s: call cancelled", name)
	}
	// Give the process a moment to be reaped so Exited() is accurate.
	for i := 0; i < 20 && !p.client.Exited(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if p.client.Exited() {
		time.Sleep(100 * time.Millisecond) // let the last stderr lines arrive
		return fmt.Errorf("plugin %s crashed%s", name, p.stderr.suffix())
	}
	return fmt.Errorf("plugin %s failed: %v%s", name, err, p.stderr.suffix())
}

// tail keeps the last lines a plugin wrote to stderr, for error messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		l = strings.TrimSpace(l)
		// go-plugin's own debug chatter is not what a user needs to see.
		if l != "" && !strings.HasPrefix(l, `{"@level":"debug"`) && !strings.HasPrefix(l, `{"@level":"trace"`) {
			t.lines = append(t.lines, l)
		}
	}
	if len(t.lines) > 200 {
		t.lines = t.lines[len(t.lines)-200:]
	}
	return len(b), nil
}

func (t *tail) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return ""
	}
	// A Go panic or fatal error says what happened on one line; the stack
	// trace after it is for the plugin's author, in the log.
	for _, l := range t.lines {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
			return " (" + l + ")"
		}
	}
	last := t.lines
	if len(last) > 3 {
		last = last[len(last)-3:]
	}
	return " (its last output: " + strings.Join(last, " / ") + ")"
}

// prefixWriter writes each line with a prefix (plugin stderr into the log).
type prefixWriter struct {
	prefix string
	w      io.Writer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		fmt.Fprintf(p.w, "%s%s\n", p.prefix, l)
	}
	return len(b), nil
}
