package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// IngestOptions control IngestFile.
type IngestOptions struct {
	// Name binds a generic file (CSV, JSON, ...) under this table name
	// instead of its base name; export formats name their own tables.
	Name string
	// Format forces a source format (see source.Options.Format).
	Format string
	Mem    memory.Allocator
	// Strict: a file with any problem is not stored (the problems are
	// still all returned in the result).
	Strict bool
	// Explicit: the file was named by the user, so an unsupported format
	// is an error rather than a skip.
	Explicit bool
	// Note receives informational messages from the readers.
	Note func(string)
	// Progress is called now and then while the file is read and written.
	Progress func(Progress)
	// RowGroupRows bounds the rows per Parquet row group (0: 64 Ki).
	RowGroupRows int
	// Now stamps the manifest's ingest times (nil: time.Now).
	Now func() time.Time

	failAt string // test hook: fail at this step (see fail)
}

// Progress reports an ingest's progress.
type Progress struct {
	Path  string
	Stage string // "hashing", "checking" (reading every row once), "writing"
	Done  int64  // bytes (hashing) or rows (writing) so far; -1 unknown
	Total int64  // the expected total; -1 unknown
}

// FileResult is what IngestFile did with one file.
type FileResult struct {
	Path   string
	SHA256 string
	Size   int64
	// Duplicate: a file with the same content is already in the store;
	// nothing was added.
	Duplicate bool
	// Skipped: not a supported data file (in a directory); nothing added.
	Skipped bool
	// NotStored: Strict and the file had problems; nothing added.
	NotStored bool
	Tables    []TableResult
	// RowsRead counts the records read from the file: those stored plus
	// those rejected. A file whose tables all have the same row count
	// (a UAL export: each record is one OfficeActivity and one
	// CloudAppEvents row) counts each record once; otherwise (a file of
	// mixed records split by category) the tables' rows add up.
	RowsRead     int64
	RowsStored   int64 // over all tables
	RowsRejected int64 // records skipped whole (malformed), see rejected
	// Problems lists every problem (rejected records and cells loaded as
	// null) with file, line and reason.
	Problems []catalog.Problem
}

// TableResult is one table's share of an ingested file.
type TableResult struct {
	Name       string
	Rows       int64
	Partitions int
}

// IngestFile reads one source file into the store. The store is changed
// only at the end, by replacing the manifest; on error (or a crash) the
// store stays as it was.
func (s *Store) IngestFile(ctx context.Context, path string, opts IngestOptions) (*FileResult, error) {
	res := &FileResult{Path: path}
	if err := s.cleanLeftovers(); err != nil {
		return nil, err
	}
	sf, err := source.OpenFile(path)
	if err != nil {
		return nil, err
	}
	if opts.Format == "" && source.Detect(path, sf.Head) == nil && !opts.Explicit {
		res.Skipped = true
		return res, nil
	}
	sum, size, err := hashFile(path, func(done, total int64) {
		progress(opts, Progress{Path: path, Stage: "hashing", Done: done, Total: total})
	})
	if err != nil {
		return nil, &Error{path, err.Error()}
	}
	res.SHA256, res.Size = sum, size
	if s.man.Source(sum) != nil {
		res.Duplicate = true
		return res, nil
	}
	progress(opts, Progress{Path: path, Stage: "checking", Done: -1, Total: -1})
	var mu sync.Mutex
	sopts := source.Options{
		Mem:    opts.Mem,
		Format: opts.Format,
		Note:   opts.Note,
		Report: func(p catalog.Problem) {
			mu.Lock()
			res.Problems = append(res.Problems, p)
			mu.Unlock()
		},
	}
	tables, err := source.Load([]source.Binding{{Name: opts.Name, Path: path}}, sopts)
	if err != nil {
		return nil, err
	}
	res.RowsRejected = rejected(res.Problems)
	if opts.Strict && len(res.Problems) > 0 {
		res.NotStored = true
		return res, nil
	}
	if err := s.fail(opts, "after-read"); err != nil {
		return nil, err
	}

	// Plan every table against a copy of the manifest; write them in
	// parallel; commit by replacing the manifest.
	man := s.man.clone()
	jobs := make([]*tableJob, len(tables))
	var total int64
	for i, t := range tables {
		meta := man.Table(t.Name())
		if meta == nil {
			meta = &TableMeta{Name: t.Name(), Columns: []ColumnMeta{}, Partitions: []PartitionMeta{}}
			man.Tables = append(man.Tables, meta)
		}
		mergeSchema(meta, t.Schema())
		jobs[i] = &tableJob{s: s, t: t, meta: meta, sha: sum, opts: &opts}
		if st, ok := t.(interface{ Rows() int64 }); ok && st.Rows() > 0 && total >= 0 {
			total += st.Rows()
		} else {
			total = -1
		}
	}
	var written atomic.Int64
	report := func(n int64) {
		progress(opts, Progress{Path: path, Stage: "writing", Done: written.Add(n), Total: total})
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = j.run(ctx, report)
		}()
	}
	wg.Wait()
	var created []string
	for _, j := range jobs {
		created = append(created, j.created...)
	}
	removeAll := func() {
		for _, f := range created {
			os.Remove(filepath.Join(s.dir, filepath.FromSlash(f)))
		}
	}
	for _, err := range errs {
		if err != nil {
			removeAll()
			return nil, err
		}
	}
	if err := s.fail(opts, "before-manifest"); err != nil {
		return nil, err // the part files stay behind, as after a crash
	}
	src := SourceMeta{SHA256: sum, Path: path, Size: size, Ingested: nowRFC3339(opts.Now), Tables: map[string]int64{}, Rejected: res.RowsRejected, Problems: int64(len(res.Problems))}
	for _, j := range jobs {
		j.meta.Partitions = append(j.meta.Partitions, j.parts...)
		src.Tables[j.t.Name()] = j.rows
		res.Tables = append(res.Tables, TableResult{Name: j.t.Name(), Rows: j.rows, Partitions: len(j.parts)})
		res.RowsStored += j.rows
	}
	res.RowsRead = recordsRead(jobs) + res.RowsRejected
	man.Sources = append(man.Sources, src)
	for _, t := range man.Tables {
		fixTimeColumn(t)
	}
	if err := writeManifest(s.dir, man); err != nil {
		removeAll()
		return nil, &Error{s.dir, "writing the manifest: " + err.Error()}
	}
	s.man = man
	return res, nil
}

func recordsRead(jobs []*tableJob) int64 {
	var sum, max int64
	same := true
	for i, j := range jobs {
		sum += j.rows
		if j.rows > max {
			max = j.rows
		}
		if i > 0 && j.rows != jobs[0].rows {
			same = false
		}
	}
	if same {
		return max
	}
	return sum
}

// rejected counts the records the readers skipped whole: the distinct
// lines of problems whose reason says so ("row skipped: ...", "record
// skipped: ..."); other problems are cells loaded as null or dropped
// extra cells, whose rows are stored.
func rejected(ps []catalog.Problem) int64 {
	type key struct {
		file string
		line int
	}
	seen := map[key]bool{}
	for _, p := range ps {
		if strings.Contains(p.Reason, "skipped") {
			seen[key{p.File, p.Line}] = true
		}
	}
	return int64(len(seen))
}

func progress(opts IngestOptions, p Progress) {
	if opts.Progress != nil {
		opts.Progress(p)
	}
}

// fail is the test hook that simulates a crash at a step.
func (s *Store) fail(opts IngestOptions, step string) error {
	if opts.failAt == step {
		return fmt.Errorf("injected failure at %s", step)
	}
	return nil
}

func (m *Manifest) clone() *Manifest {
	out := &Manifest{Version: m.Version, Sources: append([]SourceMeta(nil), m.Sources...)}
	for _, t := range m.Tables {
		c := *t
		c.Columns = append([]ColumnMeta(nil), t.Columns...)
		c.Partitions = append([]PartitionMeta(nil), t.Partitions...)
		out.Tables = append(out.Tables, &c)
	}
	return out
}

// mergeSchema adds the columns of s to the table (schema evolution): new
// columns are appended, a column whose type differs takes the type both
// fit in. The partition (time) column is chosen once: Timestamp (the
// event time of Defender tables, also in their Sentinel copies), else
// TimeGenerated, else the first datetime column.
func mergeSchema(meta *TableMeta, s *arrow.Schema) {
	idx := map[string]int{}
	for i, c := range meta.Columns {
		idx[c.Name] = i
	}
	for _, f := range s.Fields() {
		k := kernels.KindOf(f)
		if i, ok := idx[f.Name]; ok {
			old, _ := types.ParseKind(meta.Columns[i].Type)
			meta.Columns[i].Type = unifyKinds(old, k).String()
			continue
		}
		idx[f.Name] = len(meta.Columns)
		meta.Columns = append(meta.Columns, ColumnMeta{Name: f.Name, Type: k.String()})
	}
	if meta.TimeColumn == "" {
		meta.TimeColumn = chooseTimeColumn(meta.Columns)
	}
}

func chooseTimeColumn(cols []ColumnMeta) string {
	dt := types.DateTime.String()
	for _, want := range []string{"Timestamp", "TimeGenerated"} {
		for _, c := range cols {
			if c.Name == want && c.Type == dt {
				return c.Name
			}
		}
	}
	for _, c := range cols {
		if c.Type == dt {
			return c.Name
		}
	}
	return ""
}

// fixTimeColumn drops the time column if schema evolution made it
// something other than a datetime (pruning on it would then be wrong).
func fixTimeColumn(t *TableMeta) {
	for _, c := range t.Columns {
		if c.Name == t.TimeColumn && c.Type != types.DateTime.String() {
			t.TimeColumn = ""
		}
	}
}

func unifyKinds(a, b types.Kind) types.Kind {
	switch {
	case a == b:
		return a
	case a.IsNumeric() && b.IsNumeric():
		if (a == types.Int || a == types.Long) && (b == types.Int || b == types.Long) {
			return types.Long
		}
		return types.Real
	case a == types.Dynamic || b == types.Dynamic:
		return types.Dynamic
	}
	return types.String
}

func hashFile(path string, prog func(done, total int64)) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		m, err := f.Read(buf)
		if m > 0 {
			h.Write(buf[:m])
			n += int64(m)
			prog(n, st.Size())
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", 0, err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// cleanLeftovers removes what an interrupted ingest left: temporary files
// and Parquet files the manifest does not list. Only files inside the
// store's table directories with the names this package writes are
// touched.
func (s *Store) cleanLeftovers() error {
	listed := map[string]bool{}
	for _, t := range s.man.Tables {
		for _, p := range t.Partitions {
			listed[filepath.Join(s.dir, filepath.FromSlash(p.File))] = true
		}
	}
	os.Remove(filepath.Join(s.dir, ManifestName+".tmp"))
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return &Error{s.dir, err.Error()}
	}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		root := filepath.Join(s.dir, e.Name())
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			name := d.Name()
			if strings.HasSuffix(name, ".parquet.tmp") || strings.HasSuffix(name, ".parquet") && !listed[p] {
				os.Remove(p)
			}
			return nil
		})
	}
	return nil
}

// tableJob writes one table of one source file.
type tableJob struct {
	s    *Store
	t    catalog.Table
	meta *TableMeta
	sha  string
	opts *IngestOptions

	parts   []PartitionMeta
	created []string // relative paths of renamed part files
	rows    int64
}

type colRange struct {
	lo, hi int64
	has    bool
}

// maxOpenWriters bounds the partition files a table keeps open at once
// (each buffers up to a row group in memory); unsorted input past it
// closes the least recently used and opens another file for that day.
const maxOpenWriters = 16

type partWriter struct {
	day       string
	rel       string // final path relative to the store
	tmp       string
	f         *os.File
	fw        *pqarrow.FileWriter
	rows      int64
	ranges    []colRange // per timestamp column of the record (tsCols)
	lastUse   int64
	rowGroups int
}

func (j *tableJob) run(ctx context.Context, report func(int64)) error {
	rd, err := j.t.Scan(ctx, catalog.ScanOptions{BatchRows: source.DefaultBatchRows})
	if err != nil {
		return err
	}
	defer rd.Close()
	in := rd.Schema()
	wschema, durCols := writeSchema(in)
	ti := -1
	if j.meta.TimeColumn != "" {
		if idx := in.FieldIndices(j.meta.TimeColumn); len(idx) > 0 && in.Field(idx[0]).Type.ID() == arrow.TIMESTAMP {
			ti = idx[0]
		}
	}
	var tsCols []int
	for i, f := range wschema.Fields() {
		if f.Type.ID() == arrow.TIMESTAMP {
			tsCols = append(tsCols, i)
		}
	}
	open := map[string]*partWriter{}
	seq := map[string]int{}
	var clock int64
	closeW := func(w *partWriter) error {
		delete(open, w.day)
		if err := w.fw.Close(); err != nil { // also flushes, syncs and closes w.f
			os.Remove(w.tmp)
			return &Error{w.tmp, err.Error()}
		}
		if n, err := countRowGroups(w.tmp); err == nil {
			w.rowGroups = n
		}
		final := filepath.Join(j.s.dir, filepath.FromSlash(w.rel))
		if err := os.Rename(w.tmp, final); err != nil {
			os.Remove(w.tmp)
			return &Error{final, err.Error()}
		}
		syncDir(filepath.Dir(final))
		j.created = append(j.created, w.rel)
		p := PartitionMeta{Day: w.day, File: w.rel, Rows: w.rows, RowGroups: w.rowGroups, Source: j.sha}
		for k, ci := range tsCols {
			r := w.ranges[k]
			if !r.has {
				continue
			}
			name := wschema.Field(ci).Name
			p.Times = append(p.Times, ColumnRange{Column: name, Min: formatTime(r.lo), Max: formatTime(r.hi), minNS: r.lo, maxNS: r.hi})
			if ci == ti {
				p.MinTime, p.MaxTime, p.minNS, p.maxNS = formatTime(r.lo), formatTime(r.hi), r.lo, r.hi
			}
		}
		j.parts = append(j.parts, p)
		return nil
	}
	abort := func() {
		for _, w := range open {
			w.fw.Close()
			os.Remove(w.tmp)
		}
	}
	writer := func(day string) (*partWriter, error) {
		clock++
		if w := open[day]; w != nil {
			w.lastUse = clock
			return w, nil
		}
		if len(open) >= maxOpenWriters {
			var lru *partWriter
			for _, w := range open {
				if lru == nil || w.lastUse < lru.lastUse {
					lru = w
				}
			}
			if err := closeW(lru); err != nil {
				return nil, err
			}
		}
		seq[day]++
		rel := fmt.Sprintf("%s/%s/%s-%d.parquet", safeName(j.meta.Name), day, j.sha[:16], seq[day])
		final := filepath.Join(j.s.dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return nil, &Error{final, err.Error()}
		}
		tmp := final + ".tmp"
		f, err := os.Create(tmp)
		if err != nil {
			return nil, &Error{tmp, err.Error()}
		}
		fw, err := pqarrow.NewFileWriter(wschema, &partFile{f: f, w: bufio.NewWriterSize(f, 256<<10)}, writerProps(j.opts), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			f.Close()
			os.Remove(tmp)
			return nil, &Error{tmp, err.Error()}
		}
		w := &partWriter{day: day, rel: rel, tmp: tmp, f: f, fw: fw, lastUse: clock, ranges: make([]colRange, len(tsCols))}
		open[day] = w
		return w, nil
	}
	write := func(rec arrow.Record, day string, lo, hi int) error {
		w, err := writer(day)
		if err != nil {
			return err
		}
		sl := rec.NewSlice(int64(lo), int64(hi))
		defer sl.Release()
		if err := w.fw.WriteBuffered(sl); err != nil {
			return &Error{w.tmp, err.Error()}
		}
		w.rows += int64(hi - lo)
		for k, ci := range tsCols {
			col, ok := rec.Column(ci).(*array.Timestamp)
			if !ok {
				continue
			}
			r := &w.ranges[k]
			for i := lo; i < hi; i++ {
				if col.IsNull(i) {
					continue
				}
				v := int64(col.Value(i))
				if !r.has || v < r.lo {
					r.lo = v
				}
				if !r.has || v > r.hi {
					r.hi = v
				}
				r.has = true
			}
		}
		return nil
	}
	for {
		rec, err := rd.Next(ctx)
		if err != nil {
			abort()
			return err
		}
		if rec == nil {
			break
		}
		wrec := toWriteRecord(rec, wschema, durCols)
		rec.Release()
		n := int(wrec.NumRows())
		var tcol *array.Timestamp
		if ti >= 0 {
			tcol, _ = wrec.Column(ti).(*array.Timestamp)
		}
		start, cur := 0, ""
		for i := 0; i <= n; i++ {
			day := ""
			if i < n {
				day = dayOf(tcol, i)
			}
			if i > 0 && (i == n || day != cur) {
				if err := write(wrec, cur, start, i); err != nil {
					wrec.Release()
					abort()
					return err
				}
				start = i
			}
			cur = day
		}
		wrec.Release()
		j.rows += int64(n)
		report(int64(n))
		if err := j.s.fail(*j.opts, "mid-write"); err != nil {
			abort()
			return err
		}
	}
	days := make([]string, 0, len(open))
	for d := range open {
		days = append(days, d)
	}
	sort.Strings(days)
	for _, d := range days {
		if err := closeW(open[d]); err != nil {
			abort()
			return err
		}
	}
	sort.SliceStable(j.parts, func(a, b int) bool { return j.parts[a].Day < j.parts[b].Day })
	return nil
}

func dayOf(tcol *array.Timestamp, i int) string {
	if tcol == nil || tcol.IsNull(i) {
		return Undated
	}
	ns := int64(tcol.Value(i))
	d := ns / types.Day
	if ns < 0 && ns%types.Day != 0 {
		d--
	}
	return time.Unix(d*86400, 0).UTC().Format("2006-01-02")
}

func writerProps(opts *IngestOptions) *parquet.WriterProperties {
	rg := opts.RowGroupRows
	if rg <= 0 {
		rg = 64 * 1024
	}
	mem := opts.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return parquet.NewWriterProperties(
		parquet.WithAllocator(mem),
		parquet.WithVersion(parquet.V2_LATEST),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(int64(rg)),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
	)
}

// writeSchema is the schema written to Parquet: timespan (Arrow Duration,
// which Arrow v17 cannot write to Parquet) becomes int64 nanoseconds; the
// kql.type metadata keeps the KQL type and readers restore it.
func writeSchema(s *arrow.Schema) (*arrow.Schema, []int) {
	fs := make([]arrow.Field, s.NumFields())
	var dur []int
	for i, f := range s.Fields() {
		k := kernels.KindOf(f)
		f.Metadata = arrow.NewMetadata([]string{kernels.MetaKQLType}, []string{k.String()})
		if f.Type.ID() == arrow.DURATION {
			f.Type = arrow.PrimitiveTypes.Int64
			dur = append(dur, i)
		}
		fs[i] = f
	}
	return arrow.NewSchema(fs, nil), dur
}

func toWriteRecord(rec arrow.Record, schema *arrow.Schema, durCols []int) arrow.Record {
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		cols[i] = rec.Column(i)
		cols[i].Retain()
	}
	for _, i := range durCols {
		src := cols[i]
		d := array.NewData(arrow.PrimitiveTypes.Int64, src.Len(), src.Data().Buffers(), nil, src.NullN(), src.Data().Offset())
		cols[i] = array.MakeFromData(d)
		d.Release()
		src.Release()
	}
	out := array.NewRecord(schema, cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out
}

// partFile buffers a part file's writes; Close flushes and syncs it, so
// that the file is durable before it is renamed and listed.
type partFile struct {
	f *os.File
	w *bufio.Writer
}

func (p *partFile) Write(b []byte) (int, error) { return p.w.Write(b) }

func (p *partFile) Close() error {
	err := p.w.Flush()
	if err == nil {
		err = p.f.Sync()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func countRowGroups(path string) (int, error) {
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return r.NumRowGroups(), nil
}
