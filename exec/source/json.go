package source

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// jsonFormat reads JSON lines (one object per line), a JSON array of
// objects, or a sequence of (pretty-printed) objects. Columns are the union
// of the objects' keys in first-seen order; types are inferred from all
// values: long, real (long and real mixed), bool, string, datetime (a string
// column whose every value is an ISO 8601 datetime), dynamic (objects,
// arrays, or values of different JSON types). A column with only nulls is
// dynamic.
type jsonFormat struct{}

func init() { Register(jsonFormat{}, 0) }

func (jsonFormat) Name() string { return "json" }

func (jsonFormat) Detect(path string, head []byte) bool {
	switch Ext(path) {
	case ".json", ".jsonl", ".ndjson", ".jsonlines":
		return true
	case ".csv", ".tsv", ".tab", ".parquet", ".arrow", ".arrows", ".ipc", ".feather", ".eml":
		return false
	}
	t := bytes.TrimLeft(head, " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && !looksBinary(head)
}

// jsonMode is how a JSON file holds its records.
type jsonMode int

const (
	jsonLines  jsonMode = iota // one value per line
	jsonArray                  // [ {...}, {...} ]
	jsonStream                 // {...} {...} spanning lines
)

func jsonModeOf(head []byte) jsonMode {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) > 0 && t[0] == '[' {
		return jsonArray
	}
	line := t
	if i := bytes.IndexByte(t, '\n'); i >= 0 {
		line = t[:i]
	} else if len(head) == HeadSize {
		return jsonLines // a first line longer than the head: assume JSONL
	}
	if len(bytes.TrimSpace(line)) > 0 && !json.Valid(line) {
		return jsonStream
	}
	return jsonLines
}

// jsonRecord is one top-level value and where it came from.
type jsonRecord struct {
	n   int // line (jsonLines, jsonStream) or 1-based element number (jsonArray)
	val any
	err error // a syntax error: the record is skipped
}

// eachJSON calls fn for every top-level record of the file. A syntax error
// that stops the reading (array or stream mode) is passed as a record with
// err and ends the iteration.
func eachJSON(f *File, fn func(r jsonRecord) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	switch jsonModeOf(f.Head) {
	case jsonLines:
		br := bufio.NewReaderSize(rc, 1<<20)
		line := 0
		for {
			b, err := br.ReadBytes('\n')
			if len(b) > 0 {
				line++
				t := bytes.TrimSpace(b)
				if len(t) > 0 {
					v, perr := types.ParseDynamic(string(t))
					if ferr := fn(jsonRecord{n: line, val: v, err: perr}); ferr != nil {
						return ferr
					}
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return &Error{File: f.Path, Line: line, Reason: err.Error()}
			}
		}
	case jsonArray:
		data, err := io.ReadAll(rc)
		if err != nil {
			return &Error{File: f.Path, Reason: err.Error()}
		}
		v, perr := types.ParseDynamic(string(data))
		if perr != nil {
			return fn(jsonRecord{n: lineAt(data, perr), err: fmt.Errorf("file unreadable: %v", perr)})
		}
		arr, _ := v.([]any)
		for i, el := range arr {
			if ferr := fn(jsonRecord{n: i + 1, val: el}); ferr != nil {
				return ferr
			}
		}
		return nil
	default:
		data, err := io.ReadAll(rc)
		if err != nil {
			return &Error{File: f.Path, Reason: err.Error()}
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			start := dec.InputOffset()
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if err == io.EOF {
				return nil
			}
			line := 1 + bytes.Count(data[:start], []byte{'\n'})
			// The value starts after any white space.
			for i := start; i < int64(len(data)) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'); i++ {
				if data[i] == '\n' {
					line++
				}
			}
			if err != nil {
				return fn(jsonRecord{n: line, err: fmt.Errorf("%v; the rest of the file is unreadable", err)})
			}
			v, perr := types.ParseDynamic(string(raw))
			if ferr := fn(jsonRecord{n: line, val: v, err: perr}); ferr != nil {
				return ferr
			}
		}
	}
}

func lineAt(data []byte, err error) int {
	var pe *types.ParseError
	if errors.As(err, &pe) && pe.Off > 0 && pe.Off <= len(data) {
		return 1 + bytes.Count(data[:pe.Off], []byte{'\n'})
	}
	return 1
}

// jsonInfer tracks the JSON types seen in a column.
type jsonInfer struct {
	bools, longs, reals, strs, nested int
	allDates                          bool
}

func (j *jsonInfer) add(v any) {
	switch x := v.(type) {
	case nil:
	case bool:
		j.bools++
	case int64:
		j.longs++
	case float64:
		j.reals++
	case string:
		if j.strs == 0 {
			j.allDates = true
		}
		j.strs++
		if j.allDates && !looksDateTime(x) {
			j.allDates = false
		}
	default:
		j.nested++
	}
}

// looksDateTime reports whether a string value makes a column datetime:
// it starts with a digit, has a date separator ('-' or '/') and parses
// (ISO 8601, or the US "12/13/2024 4:34:03 PM" form of Microsoft exports).
func looksDateTime(s string) bool {
	if len(s) < 8 || s[0] < '0' || s[0] > '9' || !strings.ContainsAny(s[:min(len(s), 11)], "-/") {
		return false
	}
	_, ok := parseDateTime(s)
	return ok
}

func (j *jsonInfer) kind() (types.Kind, bool) {
	kinds := 0
	for _, n := range []int{j.bools, j.longs + j.reals, j.strs, j.nested} {
		if n > 0 {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return types.Dynamic, true
	case kinds > 1 || j.nested > 0:
		return types.Dynamic, false
	case j.bools > 0:
		return types.Bool, false
	case j.reals > 0:
		return types.Real, false
	case j.longs > 0:
		return types.Long, false
	case j.allDates:
		return types.DateTime, false
	}
	return types.String, false
}

func (jsonFormat) Read(f *File, opts *Options) ([]Part, error) {
	var names []string
	cols := map[string]*jsonInfer{}
	var rows int64
	err := eachJSON(f, func(r jsonRecord) error {
		if r.err != nil {
			return opts.problem(catalog.Problem{File: f.Path, Line: r.n, Reason: "record skipped: " + r.err.Error()})
		}
		bag, ok := r.val.(*types.Bag)
		if !ok {
			return opts.problem(catalog.Problem{File: f.Path, Line: r.n, Reason: fmt.Sprintf("record skipped: a JSON %s, not an object", types.DynamicTypeName(r.val))})
		}
		rows++
		for i := 0; i < bag.Len(); i++ {
			key, v := bag.At(i)
			c := cols[key]
			if c == nil {
				c = &jsonInfer{}
				cols[key] = c
				names = append(names, key)
			}
			if k, ok := opts.Declared(key); ok {
				if !fitsKind(k, v) {
					if err := opts.problem(catalog.Problem{File: f.Path, Line: r.n, Field: key, Reason: badCell(types.FormatDynamic(v), k)}); err != nil {
						return err
					}
				}
			} else if opts.InferRows == 0 || rows <= int64(opts.InferRows) {
				c.add(v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(names))
	weak := map[string]bool{}
	for i, n := range names {
		k, w := cols[n].kind()
		if dk, ok := opts.Declared(n); ok {
			k, w = dk, false
		}
		if w {
			weak[n] = true
		}
		fields[i] = kernels.Field(n, k)
	}
	return []Part{{
		Schema: arrow.NewSchema(fields, nil),
		Rows:   rows,
		Weak:   weak,
		Open: func(ctx context.Context, req ScanRequest) (catalog.RecordReader, error) {
			return newBagReader(ctx, req, func(yield func(*types.Bag) error) error {
				return eachJSON(f, func(r jsonRecord) error {
					if b, ok := r.val.(*types.Bag); ok && r.err == nil {
						return yield(b)
					}
					return nil
				})
			}), nil
		},
	}}, nil
}

// bagReader turns a stream of property bags into records. The producer
// parses and builds records in its own goroutine, one batch ahead.
type bagReader struct {
	schema *arrow.Schema
	ch     chan arrow.Record
	errc   chan error
	cancel context.CancelFunc
	done   bool
}

func newBagReader(ctx context.Context, req ScanRequest, produce func(yield func(*types.Bag) error) error) *bagReader {
	ctx, cancel := context.WithCancel(ctx)
	r := &bagReader{schema: req.Schema, ch: make(chan arrow.Record), errc: make(chan error, 1), cancel: cancel}
	go func() {
		defer close(r.ch)
		batch := make([]*types.Bag, 0, min(req.BatchRows, 1024))
		send := func() error {
			rec := bagsToRecord(req, batch)
			clear(batch)
			batch = batch[:0]
			select {
			case r.ch <- rec:
				return nil
			case <-ctx.Done():
				rec.Release()
				return ctx.Err()
			}
		}
		err := produce(func(b *types.Bag) error {
			batch = append(batch, b)
			if len(batch) >= req.BatchRows {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		r.errc <- err
	}()
	return r
}

func (r *bagReader) Schema() *arrow.Schema { return r.schema }

func (r *bagReader) Next(ctx context.Context) (arrow.Record, error) {
	if r.done {
		return nil, nil
	}
	var rec arrow.Record
	var ok bool
	select {
	case rec, ok = <-r.ch:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !ok {
		r.done = true
		// Only Close cancels on purpose (and then Next is not reached):
		// a cancelled scan context is an error, not a short table.
		if err := <-r.errc; err != nil {
			return nil, err
		}
		return nil, nil
	}
	return rec, nil
}

func (r *bagReader) Close() {
	if r.cancel != nil {
		r.cancel()
		for rec := range r.ch {
			rec.Release()
		}
		r.cancel = nil
	}
	r.done = true
}

func bagsToRecord(req ScanRequest, bags []*types.Bag) arrow.Record {
	fields := req.Schema.Fields()
	builders := make([]array.Builder, len(fields))
	kinds := make([]types.Kind, len(fields))
	index := make(map[string]int, len(fields))
	for i, fl := range fields {
		kinds[i] = kernels.KindOf(fl)
		builders[i] = array.NewBuilder(req.Mem, kernels.ArrowType(kinds[i]))
		builders[i].Reserve(len(bags))
		index[fl.Name] = i
	}
	// Walk each bag's keys once; columns a bag lacks get null.
	filled := make([]int, len(fields))
	for row, bag := range bags {
		stamp := row + 1
		for k := 0; k < bag.Len(); k++ {
			key, v := bag.At(k)
			if i, ok := index[key]; ok && filled[i] != stamp {
				appendValue(builders[i], kinds[i], v)
				filled[i] = stamp
			}
		}
		for i := range fields {
			if filled[i] != stamp {
				appendValue(builders[i], kinds[i], nil)
			}
		}
	}
	arrs := make([]arrow.Array, len(fields))
	for i, b := range builders {
		arrs[i] = b.NewArray()
		b.Release()
	}
	rec := array.NewRecord(req.Schema, arrs, int64(len(bags)))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// fitsKind reports whether appendValue stores v (non-null) in a column of
// kind k without turning it into null.
func fitsKind(k types.Kind, v any) bool {
	if v == nil {
		return true
	}
	switch k {
	case types.String, types.Dynamic:
		return true
	case types.Bool:
		_, ok := v.(bool)
		return ok
	case types.Long:
		switch x := v.(type) {
		case int64:
			return true
		case float64:
			return x == math.Trunc(x) && math.Abs(x) < 1<<63
		}
		return false
	case types.Int:
		x, ok := v.(int64)
		return ok && x >= math.MinInt32 && x <= math.MaxInt32
	case types.Real, types.Decimal:
		switch x := v.(type) {
		case int64, float64:
			return true
		case string: // "NaN", "Infinity", "-Infinity" (JSON has no literal for them)
			_, ok := parseReal(x)
			return ok
		}
		return false
	case types.DateTime:
		s, ok := v.(string)
		if ok {
			_, ok = parseDateTime(s)
		}
		return ok
	case types.TimeSpan:
		s, ok := v.(string)
		if ok {
			_, ok = parseTimeSpan(s)
		}
		return ok
	case types.Guid:
		s, ok := v.(string)
		if ok {
			_, ok = parseGuid(s)
		}
		return ok
	}
	return false
}

// appendValue appends a dynamic value to a builder of kind k, converting
// where that loses nothing; otherwise it appends null.
func appendValue(b array.Builder, k types.Kind, v any) {
	if v == nil {
		if k == types.String {
			b.(*array.StringBuilder).Append("")
		} else {
			b.AppendNull()
		}
		return
	}
	switch k {
	case types.String:
		s, ok := v.(string)
		if !ok {
			s = types.FormatDynamic(v)
		}
		b.(*array.StringBuilder).Append(s)
		return
	case types.Dynamic:
		b.(*array.StringBuilder).Append(types.FormatDynamic(v))
		return
	case types.Bool:
		if x, ok := v.(bool); ok {
			b.(*array.BooleanBuilder).Append(x)
			return
		}
	case types.Long:
		switch x := v.(type) {
		case int64:
			b.(*array.Int64Builder).Append(x)
			return
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				b.(*array.Int64Builder).Append(int64(x))
				return
			}
		}
	case types.Int:
		if x, ok := v.(int64); ok && x >= math.MinInt32 && x <= math.MaxInt32 {
			b.(*array.Int32Builder).Append(int32(x))
			return
		}
	case types.Real, types.Decimal:
		switch x := v.(type) {
		case int64:
			b.(*array.Float64Builder).Append(float64(x))
			return
		case float64:
			b.(*array.Float64Builder).Append(x)
			return
		case string:
			if f, ok := parseReal(x); ok {
				b.(*array.Float64Builder).Append(f)
				return
			}
		}
	case types.DateTime:
		if s, ok := v.(string); ok {
			if ns, ok := parseDateTime(s); ok {
				b.(*array.TimestampBuilder).Append(arrow.Timestamp(ns))
				return
			}
		}
	case types.TimeSpan:
		if s, ok := v.(string); ok {
			if ns, ok := parseTimeSpan(s); ok {
				b.(*array.DurationBuilder).Append(arrow.Duration(ns))
				return
			}
		}
	case types.Guid:
		if s, ok := v.(string); ok {
			if g, ok := parseGuid(s); ok {
				b.(*array.StringBuilder).Append(g)
				return
			}
		}
	}
	b.AppendNull()
}
