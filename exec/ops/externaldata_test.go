package ops

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

var extDecl = []types.Column{
	{Name: "Indicator", Type: types.String},
	{Name: "Score", Type: types.Long},
	{Name: "Seen", Type: types.DateTime},
	{Name: "Tags", Type: types.Dynamic},
}

// runExternal reads uris and renders the rows as "a|b|c|d" lines (null
// as <null>), with the problems reported.
func runExternal(t *testing.T, uris []string, opts ExternalOptions) (string, []catalog.Problem, error) {
	t.Helper()
	var probs []catalog.Problem
	opts.Report = func(p catalog.Problem) { probs = append(probs, p) }
	x := NewExternalData(memory.DefaultAllocator, kernels.Schema(&types.Schema{Columns: extDecl}), extDecl, uris, opts)
	defer x.Close()
	var b strings.Builder
	for {
		rec, err := x.Next(context.Background())
		if err != nil {
			return "", probs, err
		}
		if rec == nil {
			break
		}
		ds := make([]kernels.Datum, rec.NumCols())
		for i := range ds {
			ds[i] = kernels.Datum{Array: rec.Column(i), Kind: extDecl[i].Type}
		}
		for r := range int(rec.NumRows()) {
			var cells []string
			for c := range ds {
				v := kernels.ValueAt(ds[c], r)
				if v == nil {
					cells = append(cells, "<null>")
					continue
				}
				cells = append(cells, types.FormatValue(extDecl[c].Type, v))
			}
			b.WriteString(strings.Join(cells, "|") + "\n")
		}
		rec.Release()
	}
	return b.String(), probs, nil
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const extWant = "evil.example|90|2024-01-02T03:04:05.0000000Z|[\"c2\"]\n" +
	"1.2.3.4|<null>|<null>|<null>\n"

func TestExternalDataCSV(t *testing.T) {
	dir := t.TempDir()
	csvPath := writeFile(t, dir, "iocs.csv", "Indicator,Score,Seen,Tags\r\nevil.example,90,2024-01-02T03:04:05Z,\"[\"\"c2\"\"]\"\r\n1.2.3.4,,,\r\n")
	got, probs, err := runExternal(t, []string{csvPath}, ExternalOptions{Format: "csv", IgnoreFirstRecord: true})
	if err != nil || got != extWant || len(probs) != 0 {
		t.Fatalf("csv: %v %v\n%s", err, probs, got)
	}
	// Without ignoreFirstRecord the header is a row whose Score and Seen do
	// not convert: reported, kept with nulls. Relative paths use Dir.
	got, probs, err = runExternal(t, []string{"iocs.csv"}, ExternalOptions{Dir: dir})
	if err != nil || !strings.HasPrefix(got, "Indicator|<null>|<null>|Tags\n") || len(probs) != 2 ||
		probs[0].Line != 1 || probs[0].Field != "Score" || probs[1].Field != "Seen" {
		t.Fatalf("header row: %v %+v\n%s", err, probs, got)
	}
	// A malformed record is skipped and reported with its line.
	bad := writeFile(t, dir, "bad.tsv", "a\t1\n\"x\"y\t2\nb\tnotanumber\n")
	got, probs, err = runExternal(t, []string{bad}, ExternalOptions{Format: "tsv"})
	if err != nil || got != "a|1|<null>|<null>\nb|<null>|<null>|<null>\n" || len(probs) != 2 ||
		probs[0].Line != 2 || !strings.Contains(probs[0].Reason, "record skipped") ||
		probs[1].Line != 3 || probs[1].Field != "Score" {
		t.Fatalf("bad tsv: %v %+v\n%s", err, probs, got)
	}
	_, _, err = runExternal(t, []string{filepath.Join(dir, "missing.csv")}, ExternalOptions{})
	if err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestExternalDataJSON(t *testing.T) {
	dir := t.TempDir()
	lines := writeFile(t, dir, "iocs.json", `{"Indicator":"evil.example","Score":90,"Seen":"2024-01-02T03:04:05Z","Tags":["c2"],"Other":1}
{"indicator":"1.2.3.4"}
not json
42
`)
	got, probs, err := runExternal(t, []string{lines}, ExternalOptions{Format: "json"})
	if err != nil || got != extWant || len(probs) != 2 || probs[0].Line != 3 || probs[1].Line != 4 {
		t.Fatalf("json: %v %+v\n%s", err, probs, got)
	}
	multi := writeFile(t, dir, "iocs.multijson", `[
 {"Indicator": "evil.example", "Score": "90",
  "Seen": "2024-01-02T03:04:05Z", "Tags": ["c2"]}
]
{"Indicator": "1.2.3.4"}
`)
	got, probs, err = runExternal(t, []string{multi}, ExternalOptions{Format: "multijson"})
	if err != nil || got != extWant || len(probs) != 0 {
		t.Fatalf("multijson: %v %+v\n%s", err, probs, got)
	}
}

func TestExternalDataParquet(t *testing.T) {
	mem := memory.DefaultAllocator
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "Indicator", Type: arrow.BinaryTypes.String},
		{Name: "Score", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, sch)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"evil.example", "1.2.3.4"}, nil)
	b.Field(1).(*array.Int32Builder).AppendValues([]int32{90, 0}, []bool{true, false})
	rec := b.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(sch, &buf, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, t.TempDir(), "iocs.parquet", buf.String())
	got, probs, err := runExternal(t, []string{p}, ExternalOptions{}) // format from the extension
	if err != nil || got != "evil.example|90|<null>|<null>\n1.2.3.4|<null>|<null>|<null>\n" || len(probs) != 0 {
		t.Fatalf("parquet: %v %+v\n%s", err, probs, got)
	}
}

const httpCSV = "evil.example,90,2024-01-02T03:04:05Z,\"[\"\"c2\"\"]\"\n1.2.3.4\n"

func TestExternalDataHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/iocs.csv":
			w.Write([]byte(httpCSV))
		case "/iocs.csv.gz":
			zw := gzip.NewWriter(w)
			zw.Write([]byte(httpCSV))
			zw.Close()
		default:
			http.NotFound(w, r)
		}
	}))
	got, _, err := runExternal(t, []string{srv.URL + "/iocs.csv", srv.URL + "/iocs.csv.gz"}, ExternalOptions{Client: srv.Client()})
	if err != nil || got != extWant+extWant {
		t.Fatalf("http: %v\n%s", err, got)
	}
	_, _, err = runExternal(t, []string{srv.URL + "/nope.csv"}, ExternalOptions{Client: srv.Client()})
	if err == nil || !strings.Contains(err.Error(), srv.URL+"/nope.csv") || !strings.Contains(err.Error(), "404") {
		t.Fatalf("404: %v", err)
	}
	url := srv.URL + "/iocs.csv"
	srv.Close()
	_, _, err = runExternal(t, []string{url}, ExternalOptions{})
	if err == nil || !strings.Contains(err.Error(), "cannot fetch "+url) || !strings.Contains(err.Error(), "offline") {
		t.Fatalf("offline: %v", err)
	}
}
