package ops

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
)

// ReduceOthers is the pattern of the values no pattern describes.
const ReduceOthers = "others"

// ReducePatterns gives each value its pattern, as `reduce` groups strings:
// values are split into terms at separator characters (by default every
// character that is not an ASCII letter or digit; with an explicit list,
// those characters, which then do not appear in the pattern). A term keeps
// its text in the pattern when more than threshold × (number of values)
// values contain it and it is not a number; otherwise it becomes `*`
// (consecutive wildcards merge). A pattern with no kept term, or shared by
// fewer than threshold × n values, is "others".
func ReducePatterns(values []string, threshold float64, characters string) []string {
	explicit := characters != ""
	isSep := func(r rune) bool {
		if explicit {
			return strings.ContainsRune(characters, r)
		}
		return !(r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'))
	}
	type piece struct {
		text string
		sep  bool
	}
	split := func(s string) []piece {
		var out []piece
		start := 0
		for i, r := range s {
			if isSep(r) {
				if i > start {
					out = append(out, piece{s[start:i], false})
				}
				out = append(out, piece{string(r), true})
				start = i + utf8.RuneLen(r)
			}
		}
		if start < len(s) {
			out = append(out, piece{s[start:], false})
		}
		return out
	}
	pieces := make([][]piece, len(values))
	df := map[string]int{}
	for i, v := range values {
		pieces[i] = split(v)
		seen := map[string]bool{}
		for _, p := range pieces[i] {
			if !p.sep && !seen[p.text] {
				seen[p.text] = true
				df[p.text]++
			}
		}
	}
	min := threshold * float64(len(values))
	numeric := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	out := make([]string, len(values))
	count := map[string]int{}
	for i, ps := range pieces {
		var b strings.Builder
		kept := false
		lastStar := false
		for _, p := range ps {
			switch {
			case p.sep:
				if !explicit {
					b.WriteString(p.text)
					lastStar = false
				}
			case float64(df[p.text]) > min && !numeric(p.text):
				b.WriteString(p.text)
				kept, lastStar = true, false
			default:
				if !lastStar {
					b.WriteByte('*')
				}
				lastStar = true
			}
		}
		if kept {
			out[i] = b.String()
		} else {
			out[i] = ReduceOthers
		}
		count[out[i]]++
	}
	for i, p := range out {
		if p != ReduceOthers && float64(count[p]) < min {
			out[i] = ReduceOthers
		}
	}
	return out
}

// Reduce is the `reduce` operator: it reads its whole input, then returns
// (Pattern, Count, Representative) per pattern, or with source=true the
// input rows with a Pattern column.
type Reduce struct {
	in         Operator
	mem        memory.Allocator
	by         func(rec arrow.Record) (kernels.Datum, error)
	threshold  float64
	characters string
	source     bool
	schema     *arrow.Schema
	out        *RecordsSource
}

// NewReduce returns the operator; by evaluates the reduced expression.
func NewReduce(mem memory.Allocator, in Operator, schema *arrow.Schema, by func(arrow.Record) (kernels.Datum, error), threshold float64, characters string, source bool) *Reduce {
	return &Reduce{in: in, mem: mem, by: by, threshold: threshold, characters: characters, source: source, schema: schema}
}

// Schema implements Operator.
func (r *Reduce) Schema() *arrow.Schema { return r.schema }

// Next implements Operator.
func (r *Reduce) Next(ctx context.Context) (arrow.Record, error) {
	if r.out == nil {
		if err := r.run(ctx); err != nil {
			return nil, err
		}
	}
	return r.out.Next(ctx)
}

func (r *Reduce) run(ctx context.Context) error {
	recs, err := Drain(ctx, r.in)
	if err != nil {
		return err
	}
	defer ReleaseRecords(recs)
	var values []string
	for _, rec := range recs {
		d, err := r.by(rec)
		if err != nil {
			return err
		}
		get := kernels.Strings(d) // tostring() text; null reads as ""
		for i := 0; i < int(rec.NumRows()); i++ {
			s, _ := get(i)
			values = append(values, s)
		}
		d.Release()
	}
	pats := ReducePatterns(values, r.threshold, r.characters)
	var out []arrow.Record
	if r.source {
		off := 0
		for _, rec := range recs {
			n := int(rec.NumRows())
			b := array.NewStringBuilder(r.mem)
			b.AppendValues(pats[off:off+n], nil)
			col := b.NewArray()
			b.Release()
			cols := append(append([]arrow.Array{}, rec.Columns()...), col)
			out = append(out, array.NewRecord(r.schema, cols, int64(n)))
			col.Release()
			off += n
		}
	} else {
		type group struct {
			pattern, rep string
			n            int64
		}
		idx := map[string]*group{}
		var groups []*group
		for i, p := range pats {
			g := idx[p]
			if g == nil {
				g = &group{pattern: p}
				if p != ReduceOthers {
					g.rep = values[i]
				}
				idx[p] = g
				groups = append(groups, g)
			}
			g.n++
		}
		sort.SliceStable(groups, func(i, j int) bool {
			if (groups[i].pattern == ReduceOthers) != (groups[j].pattern == ReduceOthers) {
				return groups[j].pattern == ReduceOthers
			}
			return groups[i].n > groups[j].n
		})
		pb, cb, rb := array.NewStringBuilder(r.mem), array.NewInt64Builder(r.mem), array.NewStringBuilder(r.mem)
		for _, g := range groups {
			pb.Append(g.pattern)
			cb.Append(g.n)
			rb.Append(g.rep)
		}
		cols := []arrow.Array{pb.NewArray(), cb.NewArray(), rb.NewArray()}
		pb.Release()
		cb.Release()
		rb.Release()
		out = append(out, array.NewRecord(r.schema, cols, int64(len(groups))))
		for _, c := range cols {
			c.Release()
		}
	}
	r.out = NewRecordsSource(r.schema, out)
	ReleaseRecords(out)
	return nil
}

// Close implements Operator.
func (r *Reduce) Close() {
	r.in.Close()
	if r.out != nil {
		r.out.Close()
	}
}
