package schemas

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestBuiltin(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	b := Builtin()
	if len(b) < 80 {
		t.Fatalf("only %d embedded tables", len(b))
	}
	for table, col := range map[string]types.Column{
		"CloudAppEvents": {Name: "RawEventData", Type: types.Dynamic},
		"OfficeActivity": {Name: "TimeGenerated", Type: types.DateTime},
		"EmailEvents":    {Name: "NetworkMessageId", Type: types.String},
		"SigninLogs":     {Name: "ResultType", Type: types.String},
	} {
		s, ok := Lookup(table)
		if !ok {
			t.Fatalf("no %s", table)
		}
		if i := s.Index(col.Name); i < 0 || s.Columns[i].Type != col.Type {
			t.Errorf("%s.%s: want %s", table, col.Name, col.Type)
		}
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "MyTable.json"), []byte(`{"columns":[{"name":"A","type":"long"},{"name":"B","type":"dynamic"}]}`), 0o644)
	s, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := s["MyTable"]; m == nil || len(m.Columns) != 2 || m.Columns[1].Type != types.Dynamic {
		t.Fatalf("got %+v", s)
	}
	os.WriteFile(filepath.Join(dir, "Bad.json"), []byte(`{"columns":[{"name":"A","type":"int128"}]}`), 0o644)
	if _, err := LoadDir(dir); err == nil {
		t.Fatal("an unknown type must be an error")
	}
	if _, err := LoadDir(t.TempDir()); err == nil {
		t.Fatal("an empty directory must be an error")
	}
}

func TestDefenderTablesHaveBothTimeColumns(t *testing.T) {
	for _, name := range []string{"DeviceInfo", "DeviceEvents", "AlertInfo", "DeviceTvmInfoGathering", "AADSignInEventsBeta"} {
		sc, ok := Lookup(name)
		if !ok {
			t.Fatalf("%s missing", name)
		}
		for _, col := range []string{"Timestamp", "TimeGenerated"} {
			i := sc.Index(col)
			if i < 0 || sc.Columns[i].Type != types.DateTime {
				t.Errorf("%s.%s: index %d, want a datetime column", name, col, i)
			}
		}
	}
	// Sentinel-only tables are left as documented.
	sc, _ := Lookup("SigninLogs")
	if sc.Index("Timestamp") >= 0 {
		t.Errorf("SigninLogs gained a Timestamp column")
	}
	if IsDefenderTable("Devices") || IsDefenderTable("Device") || !IsDefenderTable("DeviceLogonEvents") {
		t.Errorf("IsDefenderTable prefix rule is wrong")
	}
}

func TestUnion(t *testing.T) {
	base := Set{
		"T":    {Columns: []types.Column{{Name: "A", Type: types.String}, {Name: "B", Type: types.Long}, {Name: "C", Type: types.Dynamic}, {Name: "D", Type: types.Bool}}},
		"Only": {Columns: []types.Column{{Name: "X", Type: types.Long}}},
	}
	dir := Set{
		"T":   {Columns: []types.Column{{Name: "D", Type: types.Long}, {Name: "B", Type: types.Dynamic}, {Name: "C", Type: types.String}, {Name: "E", Type: types.DateTime}}},
		"New": {Columns: []types.Column{{Name: "Y", Type: types.Guid}}},
	}
	u := base.Union(dir)
	want := []types.Column{
		{Name: "D", Type: types.Long},     // DIR's type wins
		{Name: "B", Type: types.Dynamic},  // DIR says dynamic
		{Name: "C", Type: types.Dynamic},  // built-in says dynamic
		{Name: "E", Type: types.DateTime}, // DIR only
		{Name: "A", Type: types.String},   // built-in extra, after DIR's columns
	}
	got := u["T"].Columns
	if len(got) != len(want) {
		t.Fatalf("T: got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("T column %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if u["Only"] != base["Only"] || u["New"] != dir["New"] {
		t.Errorf("tables in one set only must be kept as they are")
	}
	if len(base["T"].Columns) != 4 || base["T"].Columns[1].Type != types.Long || len(dir["T"].Columns) != 4 {
		t.Errorf("Union modified its inputs")
	}
	// Merge still replaces a table whole (data-bound tables).
	if m := base.Merge(dir); len(m["T"].Columns) != 4 || m["T"].Columns[0].Name != "D" {
		t.Errorf("Merge: got %v", m["T"].Columns)
	}
}

func TestLoadDirUnionWithBuiltin(t *testing.T) {
	dir := t.TempDir()
	// A shorter, older SigninLogs plus a custom column: the built-in columns
	// it lacks are kept after it.
	os.WriteFile(filepath.Join(dir, "SigninLogs.json"), []byte(`{"table":"SigninLogs","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"ResultType","type":"string"},{"name":"MyExtra_s","type":"string"}]}`), 0o644)
	extra, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	u := Builtin().Union(extra)
	sc := u["SigninLogs"]
	if sc.Columns[0].Name != "TimeGenerated" || sc.Columns[2].Name != "MyExtra_s" {
		t.Errorf("DIR's columns must come first: %v", sc.Names()[:3])
	}
	bi, _ := Lookup("SigninLogs")
	for _, c := range bi.Columns {
		if sc.Index(c.Name) < 0 {
			t.Errorf("built-in column %s lost", c.Name)
		}
	}
	if len(sc.Columns) != len(bi.Columns)+1 {
		t.Errorf("got %d columns, want %d", len(sc.Columns), len(bi.Columns)+1)
	}
}

func TestSchemasDoc(t *testing.T) {
	const file = "../../docs/schemas.md"
	want := CatalogMarkdown()
	if os.Getenv("UPDATE_DOCS") != "" {
		if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("docs/schemas.md is out of date with lang/schemas/tables; run UPDATE_DOCS=1 go test ./lang/schemas -run TestSchemasDoc")
	}
	if n := len(Docs()); n != len(Builtin()) {
		t.Errorf("Docs lists %d tables, Builtin has %d", n, len(Builtin()))
	}
}
