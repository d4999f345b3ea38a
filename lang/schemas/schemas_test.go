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
