//go:build unix

// Command run is kqlhunt's performance suite: each query of queries.go run
// by kqlhunt's engine (in-process, as `kqlhunt query --data` runs it), by
// DuckDB (SQL over the same Parquet) and by a hand-written Go floor (a
// direct loop over the Arrow columns read from the same Parquet).
//
//	cd bench && go run ./run -sizes 1m,10m -runs 3
//
// Every measurement runs in a child process of its own (the binary
// re-executes itself with -child), so peak RSS is per system and query;
// the table reports medians. Load (opening/binding the files) is reported
// apart from query time (reading the columns and computing the result).
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/kqlhunt/kqlhunt/bench/gen"
	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang"
)

type result struct {
	LoadNS  int64   `json:"load_ns"`
	QueryNS int64   `json:"query_ns"`
	Rows    int64   `json:"rows"`
	Sum     float64 `json:"sum"`
	RSS     int64   `json:"rss"` // filled by the parent
	Err     string  `json:"err,omitempty"`
}

var systems = []string{"kqlhunt", "duckdb", "floor"}

func main() {
	var (
		sizes   = flag.String("sizes", "1m,10m", "comma-separated row counts (1m, 10m, 250k, ...)")
		runs    = flag.Int("runs", 3, "runs per system and query (median reported)")
		dir     = flag.String("dir", "/tmp/kqlbench", "where the generated Parquet lives (never the repository)")
		only    = flag.String("queries", "", "comma-separated query names (default all)")
		sysList = flag.String("systems", "kqlhunt,duckdb,floor", "systems to run")
		child   = flag.String("child", "", "internal: SYSTEM:QUERY:EVENTS:IDENTITY")
		cpuprof = flag.String("cpuprofile", "", "child: write a CPU profile of the query phase here")
		genOnly = flag.Bool("gen", false, "only generate the data")
	)
	flag.Parse()
	if *child != "" {
		os.Exit(runChild(*child, *cpuprof))
	}
	var sel []query
	for _, q := range queries {
		if *only == "" || contains(strings.Split(*only, ","), q.name) {
			sel = append(sel, q)
		}
	}
	self, err := os.Executable()
	if err != nil {
		fatal(err)
	}
	for _, sz := range strings.Split(*sizes, ",") {
		n, err := parseSize(sz)
		if err != nil {
			fatal(err)
		}
		t0 := time.Now()
		events, identity, err := gen.Ensure(*dir, n)
		if err != nil {
			fatal(err)
		}
		st, _ := os.Stat(events)
		fmt.Fprintf(os.Stderr, "data %s (%s rows, %.1f MB) ready in %s\n", events, sz, float64(st.Size())/1e6, time.Since(t0).Round(time.Millisecond))
		if *genOnly {
			continue
		}
		up, _ := os.ReadFile("/proc/loadavg")
		fmt.Printf("\n## %s rows (Parquet %.0f MB), median of %d runs, load average at start: %s\n\n", sz, float64(st.Size())/1e6, *runs, strings.Join(strings.Fields(string(up))[:3], " "))
		fmt.Println("| query | kqlhunt s | DuckDB s | floor s | kql/DuckDB | kql/floor | kqlhunt RSS MB | DuckDB RSS MB | floor RSS MB | check |")
		fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
		totals := map[string]float64{}
		for _, q := range sel {
			med := map[string]result{}
			for _, s := range strings.Split(*sysList, ",") {
				var rs []result
				for r := 0; r < *runs; r++ {
					res := spawn(self, fmt.Sprintf("%s:%s:%s:%s", s, q.name, events, identity))
					if res.Err != "" {
						fmt.Fprintf(os.Stderr, "%s %s: %s\n", s, q.name, res.Err)
						break
					}
					rs = append(rs, res)
				}
				if len(rs) > 0 {
					med[s] = median(rs)
					totals[s] += secs(med[s])
				}
			}
			k, d, f := med["kqlhunt"], med["duckdb"], med["floor"]
			fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", q.name,
				fsec(k), fsec(d), fsec(f), ratio(k, d), ratio(k, f),
				mb(k), mb(d), mb(f), check(q, med))
		}
		fmt.Printf("| **total** | %.2f | %.2f | %.2f | %.2f | %.2f | | | | |\n", totals["kqlhunt"], totals["duckdb"], totals["floor"],
			totals["kqlhunt"]/totals["duckdb"], totals["kqlhunt"]/totals["floor"])
		fmt.Println("\nCells: load+query seconds (load alone in parentheses); ratios on load+query.")
	}
}

func spawn(self, spec string) result {
	cmd := exec.Command(self, "-child", spec)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var r result
	if err != nil {
		r.Err = fmt.Sprintf("%v: %s", err, strings.TrimSpace(errb.String()))
		return r
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		r.Err = fmt.Sprintf("child output: %v: %q", err, out.String())
		return r
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.RSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	return r
}

func median(rs []result) result {
	sort.Slice(rs, func(i, j int) bool { return rs[i].LoadNS+rs[i].QueryNS < rs[j].LoadNS+rs[j].QueryNS })
	m := rs[len(rs)/2]
	rss := make([]int64, len(rs))
	for i, r := range rs {
		rss[i] = r.RSS
	}
	sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
	m.RSS = rss[len(rss)/2]
	return m
}

func secs(r result) float64 { return float64(r.LoadNS+r.QueryNS) / 1e9 }

func fsec(r result) string {
	if r.Rows == 0 && r.QueryNS == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f (%.3f)", secs(r), float64(r.LoadNS)/1e9)
}

func ratio(a, b result) string {
	if a.QueryNS == 0 || b.QueryNS == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", secs(a)/secs(b))
}

func mb(r result) string {
	if r.RSS == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", float64(r.RSS)/1e6)
}

// check compares the results of the systems that ran.
func check(q query, med map[string]result) string {
	var ref *result
	var bad []string
	for _, s := range systems {
		r, ok := med[s]
		if !ok {
			continue
		}
		if ref == nil {
			ref = &r
			continue
		}
		tol := q.approx*math.Abs(ref.Sum) + 1e-9
		if r.Rows != ref.Rows || math.Abs(r.Sum-ref.Sum) > tol {
			bad = append(bad, fmt.Sprintf("%s rows=%d n=%g vs rows=%d n=%g", s, r.Rows, r.Sum, ref.Rows, ref.Sum))
		}
	}
	if ref == nil {
		return "–"
	}
	if len(bad) > 0 {
		return "MISMATCH " + strings.Join(bad, "; ")
	}
	return fmt.Sprintf("ok (%d rows, n=%g)", ref.Rows, ref.Sum)
}

func runChild(spec, cpuprof string) int {
	parts := strings.SplitN(spec, ":", 4)
	if len(parts) != 4 {
		fmt.Fprintln(os.Stderr, "bad -child spec")
		return 2
	}
	var q *query
	for i := range queries {
		if queries[i].name == parts[1] {
			q = &queries[i]
		}
	}
	if q == nil {
		fmt.Fprintln(os.Stderr, "unknown query", parts[1])
		return 2
	}
	var r result
	var err error
	stopProf := func() {}
	startProf := func() {
		if cpuprof == "" {
			return
		}
		f, err := os.Create(cpuprof)
		if err != nil {
			return
		}
		pprof.StartCPUProfile(f)
		stopProf = func() { pprof.StopCPUProfile(); f.Close() }
	}
	switch parts[0] {
	case "kqlhunt":
		r, err = runKQL(q, parts[2], parts[3], startProf)
	case "duckdb":
		r, err = runDuck(q, parts[2], parts[3])
	case "floor":
		r, err = runFloor(q, parts[2], parts[3], startProf)
	default:
		err = fmt.Errorf("unknown system %s", parts[0])
	}
	stopProf()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	json.NewEncoder(os.Stdout).Encode(r)
	return 0
}

func runKQL(q *query, events, identity string, startProf func()) (result, error) {
	var r result
	t0 := time.Now()
	cat := catalog.New()
	err := source.Bind(cat, []source.Binding{{Name: "CloudAppEvents", Path: events}, {Name: "IdentityInfo", Path: identity}}, source.Options{})
	if err != nil {
		return r, err
	}
	r.LoadNS = int64(time.Since(t0))
	startProf()
	t1 := time.Now()
	res, err := engine.Run(context.Background(), lang.NewSource("bench", q.kql), engine.Options{Catalog: cat, Mem: memory.DefaultAllocator})
	if err != nil {
		return r, err
	}
	r.QueryNS = int64(time.Since(t1))
	defer res.Release()
	r.Rows = res.NumRows()
	idx := res.Schema.FieldIndices("n")
	if len(idx) == 0 {
		return r, fmt.Errorf("no column n in %s", res.Schema)
	}
	for _, rec := range res.Records {
		col := rec.Column(idx[0])
		for i := 0; i < col.Len(); i++ {
			if col.IsNull(i) {
				continue
			}
			switch c := col.(type) {
			case *array.Int64:
				r.Sum += float64(c.Value(i))
			case *array.Float64:
				r.Sum += c.Value(i)
			case *array.String: // make-series: a dynamic array
				var xs []float64
				if err := json.Unmarshal([]byte(c.Value(i)), &xs); err != nil {
					return r, err
				}
				for _, x := range xs {
					r.Sum += x
				}
			default:
				return r, fmt.Errorf("column n has type %s", col.DataType())
			}
		}
	}
	return r, nil
}

func runDuck(q *query, events, identity string) (result, error) {
	var r result
	t0 := time.Now()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return r, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range []string{
		fmt.Sprintf(`create view ev as select * from read_parquet('%s')`, events),
		fmt.Sprintf(`create view id as select * from read_parquet('%s')`, identity),
		`set TimeZone='UTC'`,
	} {
		if _, err := db.Exec(s); err != nil {
			return r, fmt.Errorf("%s: %w", s, err)
		}
	}
	r.LoadNS = int64(time.Since(t0))
	t1 := time.Now()
	rows, err := db.Query(q.sql)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	ni := -1
	for i, c := range cols {
		if c == "n" {
			ni = i
		}
	}
	if ni < 0 {
		return r, fmt.Errorf("no column n")
	}
	var all [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return r, err
		}
		all = append(all, vals)
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	r.QueryNS = int64(time.Since(t1))
	for _, v := range all {
		r.Rows++
		r.Sum += num(v[ni])
	}
	return r, nil
}

func num(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case int32:
		return float64(x)
	case float64:
		return x
	case []any:
		s := 0.0
		for _, e := range x {
			s += num(e)
		}
		return s
	}
	return 0
}

func runFloor(q *query, events, identity string, startProf func()) (result, error) {
	var r result
	t0 := time.Now()
	f, err := os.Open(events)
	if err != nil {
		return r, err
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		return r, err
	}
	defer pr.Close()
	mem := memory.DefaultAllocator
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 64 * 1024, Parallel: true}, mem)
	if err != nil {
		return r, err
	}
	schema, err := fr.Schema()
	if err != nil {
		return r, err
	}
	var idx []int
	for _, c := range q.cols {
		ii := schema.FieldIndices(c)
		if len(ii) == 0 {
			return r, fmt.Errorf("no column %s", c)
		}
		idx = append(idx, ii[0])
	}
	st := &floorState{groups: map[string]int64{}, pairs: map[[2]string]struct{}{}, re: regexp.MustCompile(`Windows NT (\d+\.\d+)`)}
	r.LoadNS = int64(time.Since(t0))
	startProf()
	t1 := time.Now()
	if q.name == "join_identity" {
		st.ident, err = readIdentity(identity)
		if err != nil {
			return r, err
		}
	}
	rr, err := fr.GetRecordReader(context.Background(), idx, nil)
	if err != nil {
		return r, err
	}
	for rr.Next() {
		q.floor(rr.Record(), st)
	}
	if err := rr.Err(); err != nil && err.Error() != "EOF" {
		return r, err
	}
	rr.Release()
	switch q.name {
	case "filter_count", "has_term":
		r.Rows, r.Sum = 1, float64(st.count)
	case "top_nested":
		r.Rows, r.Sum = topNested(st.groups)
	default:
		r.Rows = int64(len(st.groups))
		for _, n := range st.groups {
			r.Sum += float64(n)
		}
	}
	r.QueryNS = int64(time.Since(t1))
	return r, nil
}

// topNested takes the top 10 first keys by count and their top 3 second keys.
func topNested(groups map[string]int64) (int64, float64) {
	outer := map[string]int64{}
	inner := map[string][]int64{}
	for k, n := range groups {
		a, _, _ := strings.Cut(k, "\x00")
		outer[a] += n
		inner[a] = append(inner[a], n)
	}
	keys := make([]string, 0, len(outer))
	for k := range outer {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return outer[keys[i]] > outer[keys[j]] })
	var rows int64
	var sum float64
	for _, k := range keys[:min(10, len(keys))] {
		ns := inner[k]
		sort.Slice(ns, func(i, j int) bool { return ns[i] > ns[j] })
		for _, n := range ns[:min(3, len(ns))] {
			rows++
			sum += float64(n)
		}
	}
	return rows, sum
}

func readIdentity(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 64 * 1024}, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, err
	}
	defer tbl.Release()
	out := map[string]string{}
	tr := array.NewTableReader(tbl, 64*1024)
	defer tr.Release()
	for tr.Next() {
		rec := tr.Record()
		a, d := rec.Column(0).(*array.String), rec.Column(2).(*array.String)
		for i := 0; i < a.Len(); i++ {
			out[strings.Clone(a.Value(i))] = strings.Clone(d.Value(i))
		}
	}
	return out, nil
}

func parseSize(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	mult := 1
	switch {
	case strings.HasSuffix(s, "m"):
		mult, s = 1_000_000, s[:len(s)-1]
	case strings.HasSuffix(s, "k"):
		mult, s = 1_000, s[:len(s)-1]
	}
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "run:", err)
	os.Exit(1)
}
