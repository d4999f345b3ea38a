package source

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Options control reading.
type Options struct {
	Mem memory.Allocator // allocator for scanned records; nil = memory.DefaultAllocator
	// Report receives every row that cannot be loaded (nil: discarded, but
	// still counted by Bind's caller through the catalog when Bind is used).
	Report func(catalog.Problem)
	// Note receives informational messages (skipped files, inferred schemas).
	Note func(string)
	// Strict turns the first problem into an *Error returned by Bind/Load.
	Strict bool
	// Format forces a format by name ("csv", "tsv", "jsonl", "json",
	// "parquet", "arrow"); "" detects it from name and content.
	Format string
	// InferRows bounds how many rows of a CSV/JSON file are looked at to
	// infer column types; 0 = all (so a later row can never fail to fit).
	InferRows int
	// Schema returns the declared schema of a table name (e.g. the Sentinel
	// table schemas), or nil. Declared columns get their declared type
	// instead of an inferred one (cells that do not fit are reported), and
	// declared columns a file lacks are added (all null) with a Note.
	Schema func(table string) *types.Schema

	table string // the name the file being read will be bound under
}

// Declared returns the declared kind of column col of the table being read
// (for Format implementations).
func (o *Options) Declared(col string) (types.Kind, bool) {
	if o.Schema == nil || o.table == "" {
		return types.Unknown, false
	}
	s := o.Schema(o.table)
	if i := s.Index(col); i >= 0 {
		return s.Columns[i].Type, true
	}
	return types.Unknown, false
}

func (o *Options) mem() memory.Allocator {
	if o.Mem == nil {
		return memory.DefaultAllocator
	}
	return o.Mem
}

// problem reports p; with Strict it returns it as an *Error.
func (o *Options) problem(p catalog.Problem) error {
	if o.Report != nil {
		o.Report(p)
	}
	if o.Strict {
		return &Error{File: p.File, Line: p.Line, Field: p.Field, Reason: p.Reason}
	}
	return nil
}

func (o *Options) note(format string, args ...any) {
	if o.Note != nil {
		o.Note(fmt.Sprintf(format, args...))
	}
}

// Error is an input data error (exit code 2 in the CLI).
type Error struct {
	File   string
	Line   int // 0 when not about one row
	Field  string
	Reason string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "column %s: ", e.Field)
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Binding is one --data [NAME=]PATH. PATH is a file, a directory or a glob.
// Without a Name, each file is bound under its base name without
// extensions (TableName); with one, all its files are concatenated under it.
type Binding struct {
	Name string
	Path string
}

// Bind loads the bindings and adds the tables to cat. Unless set in opts,
// problems go to cat.Report and notes to cat.Note.
func Bind(cat *catalog.Catalog, bindings []Binding, opts Options) error {
	if opts.Report == nil {
		opts.Report = cat.Report
	}
	if opts.Note == nil {
		opts.Note = cat.Note
	}
	tables, err := Load(bindings, opts)
	if err != nil {
		return err
	}
	for _, t := range tables {
		cat.Add(t)
	}
	return nil
}

// Load resolves the bindings to files, reads them and returns one table per
// name, in first-bound order. Files bound under the same name (by several
// bindings, a directory or a glob) are concatenated with their columns
// unified by name.
func Load(bindings []Binding, opts Options) ([]catalog.Table, error) {
	type named struct {
		name  string
		parts []Part
	}
	var order []*named
	byName := map[string]*named{}
	add := func(name string, p Part) {
		n := byName[name]
		if n == nil {
			n = &named{name: name}
			byName[name] = n
			order = append(order, n)
		}
		n.parts = append(n.parts, p)
	}
	for _, b := range bindings {
		files, nested, explicit, err := expandNested(b.Path)
		if err != nil {
			return nil, err
		}
		for i, path := range append(files, nested...) {
			opts.table = b.Name
			if opts.table == "" {
				opts.table = TableName(path)
			}
			var parts []Part
			if i < len(files) {
				parts, err = readFile(path, explicit, &opts)
			} else {
				parts, err = readNested(path, &opts)
			}
			if err != nil {
				return nil, err
			}
			for _, p := range parts {
				name := p.Table
				if name == "" {
					name = b.Name
				}
				if name == "" {
					name = TableName(path)
				}
				add(name, p)
			}
		}
	}
	out := make([]catalog.Table, 0, len(order))
	for _, n := range order {
		t, err := newTable(n.name, n.parts, &opts)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// ReadBytes reads one in-memory file (fileName gives the format hint) and
// returns its tables; name "" names a single table after fileName.
func ReadBytes(name, fileName string, data []byte, opts Options) ([]catalog.Table, error) {
	f, err := NewFile(fileName, data)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = TableName(fileName)
	}
	opts.table = name
	parts, err := readParts(f, true, &opts)
	if err != nil {
		return nil, err
	}
	groups := map[string][]Part{}
	var names []string
	for _, p := range parts {
		n := p.Table
		if n == "" {
			n = name
		}
		if _, ok := groups[n]; !ok {
			names = append(names, n)
		}
		groups[n] = append(groups[n], p)
	}
	var out []catalog.Table
	for _, n := range names {
		t, err := newTable(n, groups[n], &opts)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// expand turns a binding path into files. explicit is true when the path
// names a single file (an unsupported format is then an error, not a skip).
func expand(path string) (files []string, explicit bool, err error) {
	if strings.ContainsAny(path, "*?[") {
		if _, serr := os.Stat(path); serr != nil {
			m, gerr := filepath.Glob(path)
			if gerr != nil {
				return nil, false, &Error{File: path, Reason: "bad glob pattern: " + gerr.Error()}
			}
			for _, f := range m {
				if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
					files = append(files, f)
				}
			}
			if len(files) == 0 {
				return nil, false, &Error{File: path, Reason: "no files match"}
			}
			sort.Strings(files)
			return files, false, nil
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, fileError(path, err)
	}
	if !st.IsDir() {
		return []string{path}, true, nil
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, false, fileError(path, err)
	}
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, false, &Error{File: path, Reason: "directory has no files"}
	}
	return files, false, nil
}

// NestedFormat is implemented by formats whose files are also read from
// the sub-folders of a bound directory (mail: every message under the
// directory belongs to one table). Other files in sub-folders are skipped.
type NestedFormat interface {
	Nested() bool
}

// expandNested is expand plus, for a directory, the files in its
// sub-folders (at any depth, hidden ones excluded), which only nested
// formats read. A directory with nothing but sub-folders is not an error
// when they hold files.
func expandNested(path string) (files, nested []string, explicit bool, err error) {
	st, serr := os.Stat(path)
	if serr != nil || !st.IsDir() {
		files, explicit, err = expand(path)
		return files, nil, explicit, err
	}
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, werr error) error {
		if werr != nil {
			return nil // unreadable sub-folders are skipped
		}
		if p == path {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && d.Type().IsRegular() && filepath.Dir(p) != filepath.Clean(path) {
			nested = append(nested, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, false, fileError(path, err)
	}
	files, explicit, err = expand(path)
	if err != nil && len(nested) > 0 {
		if se, ok := err.(*Error); ok && se.Reason == "directory has no files" {
			return nil, nested, false, nil
		}
	}
	return files, nested, explicit, err
}

// readNested reads a file found in a sub-folder of a bound directory when
// its format is a NestedFormat.
func readNested(path string, opts *Options) ([]Part, error) {
	f, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	var fm Format
	if opts.Format != "" {
		fm = Lookup(opts.Format)
	} else {
		fm = Detect(f.Path, f.Head)
	}
	if fm == nil {
		return nil, nil
	}
	if n, ok := fm.(NestedFormat); !ok || !n.Nested() {
		opts.note("%s: skipped: %s file in a sub-folder (bind it with its own --data)", f.Path, fm.Name())
		return nil, nil
	}
	return fm.Read(f, opts)
}

func readFile(path string, explicit bool, opts *Options) ([]Part, error) {
	f, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	return readParts(f, explicit, opts)
}

func readParts(f *File, explicit bool, opts *Options) ([]Part, error) {
	var fm Format
	if opts.Format != "" {
		fm = Lookup(opts.Format)
		if fm == nil {
			return nil, &Error{File: f.Path, Reason: fmt.Sprintf("unknown format %q (known: %s)", opts.Format, strings.Join(FormatNames(), ", "))}
		}
	} else {
		fm = Detect(f.Path, f.Head)
	}
	if fm == nil {
		if explicit {
			return nil, &Error{File: f.Path, Reason: "unsupported file format (known: " + strings.Join(FormatNames(), ", ") + ")"}
		}
		opts.note("%s: skipped: not a supported data file", f.Path)
		return nil, nil
	}
	return fm.Read(f, opts)
}

// knownExts are removed from file names to make table names.
var knownExts = map[string]bool{
	".gz": true, ".gzip": true, ".zst": true, ".zstd": true,
	".csv": true, ".tsv": true, ".tab": true, ".txt": true,
	".json": true, ".jsonl": true, ".ndjson": true, ".jsonlines": true,
	".parquet": true, ".pq": true, ".arrow": true, ".arrows": true, ".ipc": true, ".feather": true,
	".log": true, ".eml": true,
}

// TableName is the table name of an unnamed file: its base name without
// (known) extensions, "CloudAppEvents.jsonl.gz" → "CloudAppEvents".
func TableName(path string) string {
	base := filepath.Base(path)
	for {
		ext := filepath.Ext(base)
		if ext == "" || ext == base || !knownExts[strings.ToLower(ext)] {
			break
		}
		base = base[:len(base)-len(ext)]
	}
	return base
}

// DefaultBatchRows is the number of rows per scanned record unless
// ScanOptions.BatchRows says otherwise (ops.DefaultBatchRows).
const DefaultBatchRows = 64 * 1024

func batchRows(n int) int {
	if n <= 0 {
		return DefaultBatchRows
	}
	return n
}
