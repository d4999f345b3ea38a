package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/plugins/internal/wire"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

var pluginDir string

// TestMain builds the test plugin once and installs it under several names.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kqlhunt-plugins")
	if err != nil {
		panic(err)
	}
	bin := filepath.Join(dir, "testplugin")
	out, err := exec.Command("go", "build", "-o", bin, "./testdata/testplugin").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building the test plugin: %v\n%s", err, out)
		os.Exit(1)
	}
	data, _ := os.ReadFile(bin)
	sum := sha256.Sum256(data)
	var manifest strings.Builder
	for _, name := range []string{"echo", "crash", "hang", "liar", "failer", "legacy", "minor2", "minor3", "badref", "badarena", "tampered", "unlisted"} {
		path := filepath.Join(dir, FilePrefix+name)
		if err := os.WriteFile(path, data, 0o755); err != nil {
			panic(err)
		}
		switch name {
		case "unlisted":
		case "tampered":
			fmt.Fprintf(&manifest, "%s  %s\n", strings.Repeat("0", 64), FilePrefix+name)
		default:
			fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(sum[:]), FilePrefix+name)
		}
	}
	os.WriteFile(filepath.Join(dir, ManifestName), []byte(manifest.String()), 0o644)
	os.Remove(bin)
	pluginDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// input is an in-memory record stream of nBatches batches of 3 rows.
type input struct {
	schema   *arrow.Schema
	mem      memory.Allocator
	nBatches int
	sent     int
}

func newInput(mem memory.Allocator, nBatches int) *input {
	return &input{schema: arrow.NewSchema([]arrow.Field{kernels.Field("User", types.String)}, nil), mem: mem, nBatches: nBatches}
}

func (in *input) Schema() *arrow.Schema { return in.schema }

func (in *input) Next(ctx context.Context) (arrow.Record, error) {
	if in.sent == in.nBatches {
		return nil, nil
	}
	in.sent++
	b := array.NewStringBuilder(in.mem)
	defer b.Release()
	b.AppendValues([]string{"alice", "bob", "carol"}, nil)
	col := b.NewArray()
	defer col.Release()
	return array.NewRecord(in.schema, []arrow.Array{col}, 3), nil
}

func newHost(t *testing.T, timeout time.Duration) *Host {
	t.Helper()
	h, err := New(Options{Dirs: []string{pluginDir}, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// collect reads an output stream to its end.
func collect(t *testing.T, o *Output) ([]string, error) {
	t.Helper()
	defer o.Close()
	var rows []string
	for {
		rec, err := o.Next()
		if err != nil || rec == nil {
			return rows, err
		}
		users := rec.Column(0).(*array.String)
		scores := rec.Column(1).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, fmt.Sprintf("%s=%g", users.Value(i), scores.Value(i)))
		}
		rec.Release()
	}
}

func TestEvaluateEcho(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h := newHost(t, 30*time.Second)
	out, err := h.Evaluate(context.Background(), "echo", []sdk.Arg{{Name: "factor", Kind: "real", Value: "10"}}, newInput(mem, 2), mem)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Schema().String(); !strings.Contains(got, "User") || !strings.Contains(got, "Score") {
		t.Fatalf("schema %s", got)
	}
	rows, err := collect(t, out)
	if err != nil {
		t.Fatal(err)
	}
	want := "alice=0 bob=10 carol=20 alice=0 bob=10 carol=20"
	if strings.Join(rows, " ") != want {
		t.Fatalf("got %v, want %s", rows, want)
	}
	// The default of an omitted optional argument applies.
	out, err = h.Evaluate(context.Background(), "echo", nil, newInput(mem, 1), mem)
	if err != nil {
		t.Fatal(err)
	}
	rows, err = collect(t, out)
	if err != nil || strings.Join(rows, " ") != "alice=0 bob=2 carol=4" {
		t.Fatalf("default factor: %v %v", rows, err)
	}
	mem.AssertSize(t, 0)
}

func TestDescribe(t *testing.T) {
	h := newHost(t, 30*time.Second)
	d, err := h.Describe(context.Background(), "echo")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "echo" || d.Version != "0.0.1" || len(d.Params) != 1 || d.Params[0].Name != "factor" || !d.KeepInput {
		t.Fatalf("describe: %+v", d)
	}
	if _, err := h.Evaluate(context.Background(), "echo", []sdk.Arg{{Name: "nope", Kind: "long", Value: "1"}}, newInput(memory.NewGoAllocator(), 1), memory.NewGoAllocator()); err == nil ||
		!strings.Contains(err.Error(), "has no parameter nope") || !strings.Contains(err.Error(), "echo([factor:real])") {
		t.Fatalf("unknown argument: %v", err)
	}
}

// Each broken plugin gives an error naming it, and the host still works afterwards.
func TestBrokenPlugins(t *testing.T) {
	h := newHost(t, 3*time.Second)
	cases := []struct {
		name string
		want []string
	}{
		{"crash", []string{"plugin crash crashed", "assignment to entry in nil map"}},
		{"hang", []string{"plugin hang did not answer within its time limit"}},
		{"liar", []string{"plugin liar returned a schema other than the one it declared", "Surprise:string", "Score:real"}},
		{"failer", []string{"plugin failer: the input has no column I can score"}},
		{"tampered", []string{"plugin tampered: checksum", "does not match SHA256SUMS"}},
		{"unlisted", []string{"plugin unlisted:", "has no checksum in SHA256SUMS", "sha256sum kqlhunt-plugin-unlisted >> SHA256SUMS"}},
		{"missing", []string{"no plugin named missing"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewGoAllocator()
			start := time.Now()
			out, err := h.Evaluate(context.Background(), c.name, nil, newInput(mem, 3), mem)
			if err == nil {
				_, err = collect(t, out)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if time.Since(start) > 20*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			// The host keeps working: a good plugin still answers.
			out, err = h.Evaluate(context.Background(), "echo", nil, newInput(mem, 1), mem)
			if err != nil {
				t.Fatal(err)
			}
			if rows, err := collect(t, out); err != nil || len(rows) != 3 {
				t.Fatalf("echo after %s: %v %v", c.name, rows, err)
			}
		})
	}
	// A crashed plugin is started afresh on the next call.
	mem := memory.NewGoAllocator()
	out, err := h.Evaluate(context.Background(), "crash", nil, newInput(mem, 1), mem)
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := collect(t, out); err != nil || len(rows) != 3 {
		t.Fatalf("crash plugin, one batch, after restart: %v %v", rows, err)
	}
}

func TestDiscovery(t *testing.T) {
	h, err := New(Options{Dirs: []string{pluginDir}, Builtins: map[string]func() *exec.Cmd{"echo": nil, "rarity": nil}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range h.Plugins() {
		kind := "file"
		if p.Builtin {
			kind = "builtin"
		}
		names = append(names, p.Name+":"+kind)
	}
	want := "badarena:file badref:file crash:file echo:builtin failer:file hang:file legacy:file liar:file minor2:file minor3:file rarity:builtin tampered:file unlisted:file"
	if strings.Join(names, " ") != want {
		t.Fatalf("got %v", names)
	}
	if _, err := New(Options{Dirs: []string{filepath.Join(pluginDir, "nope")}}); err == nil {
		t.Fatal("a missing directory must be an error")
	}
}

// shmDirs lists the shared-memory directories of plugin processes named name.
func shmDirs(t *testing.T, name string) []string {
	t.Helper()
	var out []string
	for _, base := range []string{"/dev/shm", os.TempDir()} {
		m, _ := filepath.Glob(filepath.Join(base, "kqlhunt-plugin-"+name+"-*"))
		out = append(out, m...)
	}
	return out
}

// The shared-memory data plane gives the same rows as inline batches, and
// leaves no file behind after a call, a crash, or the host's Close.
func TestSharedMemory(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	var got []string
	for _, inline := range []bool{false, true} {
		h, err := New(Options{Dirs: []string{pluginDir}, Timeout: 30 * time.Second, NoSharedMemory: inline})
		if err != nil {
			t.Fatal(err)
		}
		out, err := h.Evaluate(context.Background(), "echo", []sdk.Arg{{Name: "factor", Kind: "real", Value: "3"}}, newInput(mem, 4), mem)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := collect(t, out)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join(rows, " "))
		dirs := shmDirs(t, "echo")
		if inline && len(dirs) != 0 {
			t.Errorf("inline call made shared-memory directories %v", dirs)
		}
		if !inline {
			if len(dirs) != 1 {
				t.Fatalf("shared-memory directories: %v", dirs)
			}
			if left, _ := os.ReadDir(dirs[0]); len(left) != 0 {
				t.Errorf("files left after the call: %v", left)
			}
		}
		h.Close()
		if dirs := shmDirs(t, "echo"); len(dirs) != 0 {
			t.Errorf("directories left after Close: %v", dirs)
		}
	}
	want := "alice=0 bob=3 carol=6 alice=0 bob=3 carol=6 alice=0 bob=3 carol=6 alice=0 bob=3 carol=6"
	if got[0] != want || got[1] != want {
		t.Fatalf("shared memory %q, inline %q, want %q", got[0], got[1], want)
	}
	mem.AssertSize(t, 0)

	// A crash mid-stream removes the process's files.
	h := newHost(t, 10*time.Second)
	out, err := h.Evaluate(context.Background(), "crash", nil, newInput(mem, 3), mem)
	if err == nil {
		_, err = collect(t, out)
	}
	if err == nil || !strings.Contains(err.Error(), "plugin crash crashed") {
		t.Fatalf("crash: %v", err)
	}
	if dirs := shmDirs(t, "crash"); len(dirs) != 0 {
		t.Errorf("directories left after a crash: %v", dirs)
	}
}

// A plugin that speaks protocol minor 1 gets inline batches only.
func TestLegacyPlugin(t *testing.T) {
	mem := memory.NewGoAllocator()
	h := newHost(t, 30*time.Second)
	out, err := h.Evaluate(context.Background(), "legacy", []sdk.Arg{{Name: "factor", Kind: "real", Value: "10"}}, newInput(mem, 2), mem)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := collect(t, out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "alice=0 bob=10 carol=20 alice=0 bob=10 carol=20"; strings.Join(rows, " ") != want {
		t.Fatalf("got %v, want %s", rows, want)
	}
}

// keptInput remembers the records it hands out, to compare arrays with.
type keptInput struct {
	*input
	recs []arrow.Record
}

func (k *keptInput) Next(ctx context.Context) (arrow.Record, error) {
	rec, err := k.input.Next(ctx)
	if rec != nil {
		rec.Retain()
		k.recs = append(k.recs, rec)
	}
	return rec, err
}

// With protocol minor 3 a pass-through column comes back by reference: the
// output record holds the host's own input array, not a copy. Without
// references (NoReferences, or a minor-2 plugin) the rows are the same.
func TestReferenceColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	want := "alice=0 bob=3 carol=6 alice=0 bob=3 carol=6 alice=0 bob=3 carol=6"
	for _, tc := range []struct {
		name   string
		plugin string
		opts   Options
		refs   bool
	}{
		{"refs", "echo", Options{}, true},
		{"no refs", "echo", Options{NoReferences: true}, false},
		{"minor-2 plugin", "minor2", Options{}, false},
		{"minor-3 plugin", "minor3", Options{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Dirs, tc.opts.Timeout = []string{pluginDir}, 30*time.Second
			h, err := New(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			in := &keptInput{input: newInput(mem, 3)}
			out, err := h.Evaluate(context.Background(), tc.plugin, []sdk.Arg{{Name: "factor", Kind: "real", Value: "3"}}, in, mem)
			if err != nil {
				t.Fatal(err)
			}
			var rows []string
			for i := 0; ; i++ {
				rec, err := out.Next()
				if err != nil {
					t.Fatal(err)
				}
				if rec == nil {
					break
				}
				if !rec.Schema().Equal(out.Schema()) {
					t.Errorf("record schema %s, declared %s", rec.Schema(), out.Schema())
				}
				same := rec.Column(0).Data() == in.recs[i].Column(0).Data()
				if same != tc.refs {
					t.Errorf("record %d: output column is the input array: %v, want %v", i, same, tc.refs)
				}
				users, scores := rec.Column(0).(*array.String), rec.Column(1).(*array.Float64)
				for j := 0; j < int(rec.NumRows()); j++ {
					rows = append(rows, fmt.Sprintf("%s=%g", users.Value(j), scores.Value(j)))
				}
				rec.Release()
			}
			out.Close()
			for _, r := range in.recs {
				r.Release()
			}
			if got := strings.Join(rows, " "); got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
			mem.AssertSize(t, 0) // the retained input records are released by Close
		})
	}
}

// A string taken from an output record (read without copying from the
// plugin's shared-memory file) stays correct after the record is released,
// the call is closed, the plugin is stopped and the heap is churned.
func TestOutputOutlivesCall(t *testing.T) {
	mem := memory.NewGoAllocator()
	h, err := New(Options{Dirs: []string{pluginDir}, Timeout: 30 * time.Second, NoReferences: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Evaluate(context.Background(), "echo", nil, newInput(mem, 2), mem)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for {
		rec, err := out.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			break
		}
		users := rec.Column(0).(*array.String)
		for j := 0; j < users.Len(); j++ {
			kept = append(kept, users.Value(j))
		}
		rec.Release()
	}
	out.Close()
	h.Close()
	for i := 0; i < 3; i++ {
		junk := make([][]byte, 256)
		for j := range junk {
			junk[j] = []byte(strings.Repeat("#", 4096))
		}
		runtime.GC()
	}
	if got := strings.Join(kept, ","); got != "alice,bob,carol,alice,bob,carol" {
		t.Fatalf("kept strings %q", got)
	}
}

// A reference to an input record the plugin was not given is a protocol
// error naming the plugin, not a crash or wrong rows.
func TestBadReference(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h := newHost(t, 30*time.Second)
	out, err := h.Evaluate(context.Background(), "badref", nil, newInput(mem, 2), mem)
	if err != nil {
		t.Fatal(err)
	}
	_, err = collect(t, out)
	if err == nil || !strings.Contains(err.Error(), "plugin badref referred to input record 1000") {
		t.Fatalf("got %v", err)
	}
	mem.AssertSize(t, 0)
}

// arenaFDs counts this process's descriptors of shared arenas.
func arenaFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	n := 0
	for _, e := range entries {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.Contains(l, "kqlhunt-arena") {
			n++
		}
	}
	return n
}

// sumInput yields n batches of rows (User string, N long); N counts up
// from 0 across batches.
type sumInput struct {
	schema     *arrow.Schema
	mem        memory.Allocator
	left, rows int
	next       int64
}

func newSumInput(mem memory.Allocator, batches, rows int) *sumInput {
	schema := arrow.NewSchema([]arrow.Field{kernels.Field("User", types.String), kernels.Field("N", types.Long)}, nil)
	return &sumInput{schema: schema, mem: mem, left: batches, rows: rows}
}

func (in *sumInput) Schema() *arrow.Schema { return in.schema }

func (in *sumInput) Next(context.Context) (arrow.Record, error) {
	if in.left == 0 {
		return nil, nil
	}
	in.left--
	b := array.NewRecordBuilder(in.mem, in.schema)
	defer b.Release()
	for i := 0; i < in.rows; i++ {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("user%d", in.next%7))
		b.Field(1).(*array.Int64Builder).Append(in.next)
		in.next++
	}
	return b.NewRecord(), nil
}

// sumOutput reads an echo call's output: its rows, the sum of N, the
// sum of Score (N's row index in its batch times the factor) and whether
// every User matches its N.
func sumOutput(t *testing.T, out *Output) (rows int, sumN int64, sumScore float64) {
	t.Helper()
	rows, sumN, sumScore, err := readSums(out)
	if err != nil {
		t.Fatal(err)
	}
	return rows, sumN, sumScore
}

func readSums(out *Output) (rows int, sumN int64, sumScore float64, err error) {
	defer out.Close()
	for {
		rec, err := out.Next()
		if err != nil || rec == nil {
			return rows, sumN, sumScore, err
		}
		users, ns, scores := rec.Column(0).(*array.String), rec.Column(1).(*array.Int64), rec.Column(2).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			if want := fmt.Sprintf("user%d", ns.Value(i)%7); users.Value(i) != want {
				rec.Release()
				return rows, sumN, sumScore, fmt.Errorf("row %d: User %q with N %d", rows, users.Value(i), ns.Value(i))
			}
			sumN += ns.Value(i)
			sumScore += scores.Value(i)
			rows++
		}
		rec.Release()
	}
}

// expected sums of sumOutput for batches×rows rows through echo (factor 2).
func expectedSums(batches, rows int) (int64, float64) {
	n := int64(batches * rows)
	score := float64(batches) * 2 * float64(rows*(rows-1)/2)
	return n * (n - 1) / 2, score
}

// Protocol minor 4: batches go through the process's arenas, which are
// mapped once and reused from call to call instead of growing.
func TestArenaReuse(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h := newHost(t, 30*time.Second)
	var sizes []int64
	for call := 0; call < 3; call++ {
		out, err := h.Evaluate(context.Background(), "echo", nil, newSumInput(mem, 8, 5000), mem)
		if err != nil {
			t.Fatal(err)
		}
		rows, sumN, sumScore := sumOutput(t, out)
		wantN, wantScore := expectedSums(8, 5000)
		if rows != 40000 || sumN != wantN || sumScore != wantScore {
			t.Fatalf("call %d: %d rows, sum N %d (want %d), sum Score %g (want %g)", call, rows, sumN, wantN, sumScore, wantScore)
		}
		p := h.running["echo"]
		if _, minor := p.described(); minor != wire.MinorArena || p.arenaIn == nil {
			t.Fatalf("the echo plugin speaks minor %d, arenas %v", minor, p.arenaIn != nil)
		}
		// The plugin released the call's input before it ended the call.
		p.arenaIn.Sweep()
		if used := p.arenaIn.Used(); used != 0 {
			t.Errorf("call %d: %d bytes of the input arena still in use", call, used)
		}
		sizes = append(sizes, p.arenaIn.Size())
	}
	if sizes[0] <= 64<<10 {
		t.Fatalf("the input arena never grew (%d bytes): no batch went through it", sizes[0])
	}
	if sizes[1] != sizes[0] || sizes[2] != sizes[0] {
		t.Errorf("the input arena grew from call to call: %v", sizes)
	}
	if dirs := shmDirs(t, "echo"); len(dirs) == 1 {
		if left, _ := os.ReadDir(dirs[0]); len(left) != 0 {
			t.Errorf("files left: %v", left)
		}
	}
	mem.AssertSize(t, 0)
}

// When an arena is full the batches go through files, with the same rows.
func TestArenaFull(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h, err := New(Options{Dirs: []string{pluginDir}, Timeout: 30 * time.Second, ArenaBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// echo holds its input until the call ends: 40 batches of 30 KB do not
	// fit the 1 MiB input arena.
	out, err := h.Evaluate(context.Background(), "echo", nil, newSumInput(mem, 40, 2000), mem)
	if err != nil {
		t.Fatal(err)
	}
	rows, sumN, sumScore := sumOutput(t, out)
	wantN, wantScore := expectedSums(40, 2000)
	if rows != 80000 || sumN != wantN || sumScore != wantScore {
		t.Fatalf("%d rows, sum N %d (want %d), sum Score %g (want %g)", rows, sumN, wantN, sumScore, wantScore)
	}
	if p := h.running["echo"]; p.arenaIn.Size() != p.arenaIn.Max() {
		t.Errorf("the input arena is %d bytes of %d: it was not filled", p.arenaIn.Size(), p.arenaIn.Max())
	}
	mem.AssertSize(t, 0)
}

// A plugin that dies holding arena slots takes its arenas with it: the
// host unmaps and closes them and the next call gets fresh ones.
func TestArenaCrash(t *testing.T) {
	before := arenaFDs(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h := newHost(t, 30*time.Second)
	out, err := h.Evaluate(context.Background(), "crash", nil, newSumInput(mem, 4, 5000), mem)
	if err != nil {
		t.Fatal(err)
	}
	p := h.running["crash"]
	if p == nil || p.arenaIn == nil {
		t.Fatal("the crash plugin has no arenas")
	}
	if _, err := collect(t, out); err == nil || !strings.Contains(err.Error(), "plugin crash crashed") {
		t.Fatalf("got %v", err)
	}
	if !p.arenaIn.Closed() || !p.arenaOut.Closed() {
		t.Error("the dead process's arenas are still open")
	}
	if n := arenaFDs(t); n != before {
		t.Errorf("%d arena descriptors open, %d before", n, before)
	}
	// The host keeps working, through new arenas.
	for i := 0; i < 2; i++ {
		out, err = h.Evaluate(context.Background(), "echo", nil, newSumInput(mem, 4, 5000), mem)
		if err != nil {
			t.Fatal(err)
		}
		if rows, _, _ := sumOutput(t, out); rows != 20000 {
			t.Fatalf("echo after the crash: %d rows", rows)
		}
	}
	h.Close()
	if n := arenaFDs(t); n != before {
		t.Errorf("%d arena descriptors open after Close, %d before", n, before)
	}
	mem.AssertSize(t, 0)
}

// A descriptor outside the plugin's arena is a protocol error naming the
// plugin, and the host goes on.
func TestBadArenaDescriptor(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h := newHost(t, 30*time.Second)
	for _, opts := range []Options{{}, {NoReferences: true}} {
		h.opts.NoReferences = opts.NoReferences
		out, err := h.Evaluate(context.Background(), "badarena", nil, newSumInput(mem, 2, 100), mem)
		if err != nil {
			t.Fatal(err)
		}
		_, err = collect(t, out)
		if err == nil || !strings.Contains(err.Error(), "plugin badarena sent a bad shared-arena descriptor") || !strings.Contains(err.Error(), "outside the arena") {
			t.Fatalf("references %v: got %v", !opts.NoReferences, err)
		}
		out, err = h.Evaluate(context.Background(), "echo", nil, newSumInput(mem, 2, 100), mem)
		if err != nil {
			t.Fatal(err)
		}
		if rows, _, _ := sumOutput(t, out); rows != 200 {
			t.Fatalf("echo after badarena: %d rows", rows)
		}
	}
	mem.AssertSize(t, 0)
}

// A call closed before its end gives its input slots back once the plugin
// has stopped reading them, and calls running at once on one process
// share its arenas without mixing their rows.
func TestArenaCancelAndConcurrency(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h := newHost(t, 30*time.Second)
	out, err := h.Evaluate(context.Background(), "echo", nil, newSumInput(mem, 50, 5000), mem)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := out.Next()
	if err != nil || rec == nil {
		t.Fatalf("first record: %v", err)
	}
	rec.Release()
	out.Close() // before the end, as `| take 10` does
	p := h.running["echo"]
	// The plugin sees the cancellation and releases the call's cell; wait
	// for it (no timing is asserted, only that it happens).
	for i := 0; ; i++ {
		p.arenaIn.Sweep()
		if p.arenaIn.Used() == 0 {
			break
		}
		if i == 1000 {
			t.Fatalf("%d bytes of a cancelled call's input never given back", p.arenaIn.Used())
		}
		time.Sleep(10 * time.Millisecond)
	}
	type result struct {
		rows      int
		sumN      int64
		sumScore  float64
		wantN     int64
		wantScore float64
		wantRows  int
	}
	results := make(chan result, 4)
	for c := 0; c < 4; c++ {
		go func(batches int) {
			o, err := h.Evaluate(context.Background(), "echo", nil, newSumInput(mem, batches, 3000), mem)
			if err != nil {
				t.Error(err)
				results <- result{}
				return
			}
			r := result{wantRows: batches * 3000}
			if r.rows, r.sumN, r.sumScore, err = readSums(o); err != nil {
				t.Error(err)
			}
			r.wantN, r.wantScore = expectedSums(batches, 3000)
			results <- r
		}(10 + c)
	}
	for c := 0; c < 4; c++ {
		r := <-results
		if r.rows != r.wantRows || r.sumN != r.wantN || r.sumScore != r.wantScore {
			t.Errorf("concurrent call: %+v", r)
		}
	}
	if h.running["echo"] != p {
		t.Error("the plugin process was restarted")
	}
	mem.AssertSize(t, 0)
}
