package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
)

func TestDataSpecParse(t *testing.T) {
	for in, want := range map[string]DataSpec{
		"Events=logs/a.csv":       {"Events", "logs/a.csv"},
		"logs/a.csv":              {"", "logs/a.csv"},
		"Sign-In.v2=x.jsonl":      {"Sign-In.v2", "x.jsonl"},
		"dir/a=b.csv":             {"", "dir/a=b.csv"},
		"2024=x.csv":              {"", "2024=x.csv"},
		"All=/data/*.jsonl.gz":    {"All", "/data/*.jsonl.gz"},
		"C:\\logs\\a=1\\file.csv": {"", "C:\\logs\\a=1\\file.csv"},
	} {
		var d DataSpec
		if err := d.UnmarshalText([]byte(in)); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if d != want {
			t.Errorf("%q: got %+v, want %+v", in, d, want)
		}
		if d.String() != in {
			t.Errorf("%q: String() = %q", in, d.String())
		}
	}
	var d DataSpec
	if err := d.UnmarshalText([]byte("T=")); err == nil {
		t.Error("T= accepted")
	}
}

// dataCmd is a command embedding DataFlags, as query/hunt/repl do.
type dataCmd struct {
	DataFlags
}

func TestDataFlagsWithKong(t *testing.T) {
	var c struct {
		Q dataCmd `cmd:""`
	}
	p, err := kong.New(&c, kong.Exit(func(int) {}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Parse([]string{"q", "--data", "A=x,y.csv", "--data", "dir", "--strict"}); err != nil {
		t.Fatal(err)
	}
	want := []DataSpec{{"A", "x,y.csv"}, {"", "dir"}}
	if len(c.Q.Data) != 2 || c.Q.Data[0] != want[0] || c.Q.Data[1] != want[1] || !c.Q.Strict {
		t.Errorf("parsed %+v strict=%v, want %+v", c.Q.Data, c.Q.Strict, want)
	}
}

func TestBindAndReport(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "Events.csv")
	os.WriteFile(bad, []byte("N:long,S:string\n1,a\nx,b\n3\n"), 0o644)
	var stderr bytes.Buffer
	e := &env{stderr: &stderr}

	d := DataFlags{Data: []DataSpec{{Path: bad}}}
	cat := catalog.New()
	if err := d.bind(e, cat, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := cat.Table("Events"); !ok {
		t.Fatalf("tables %v", cat.Names())
	}
	if err := d.finish(e, cat); err != nil {
		t.Fatalf("finish: %v", err)
	}
	want := "kqlhunt: 2 rows could not be loaded cleanly (from 1 file):\n" +
		"  " + bad + ":3: column N: \"x\" is not a long: null\n" +
		"  " + bad + ":4: row has 1 cell, header has 2: missing cells are null\n"
	if stderr.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), want)
	}

	// --strict: the first problem is an exit-2 error naming file and line.
	d.Strict = true
	err := d.bind(e, catalog.New(), nil)
	var xe *exitError
	if !errors.As(err, &xe) || xe.code != exitData || !strings.Contains(xe.msg, "Events.csv:3: column N") {
		t.Errorf("strict bind = %v", err)
	}
	// A missing file is a data error too.
	d = DataFlags{Data: []DataSpec{{Name: "T", Path: filepath.Join(dir, "nope.csv")}}}
	err = d.bind(e, catalog.New(), nil)
	if !errors.As(err, &xe) || xe.code != exitData || !strings.Contains(xe.msg, "nope.csv: no such file or directory") {
		t.Errorf("missing file = %v", err)
	}
}
