package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ManifestName is the manifest's file name in the store directory.
const ManifestName = "manifest.json"

// ManifestVersion is the manifest format version this package writes.
const ManifestVersion = 1

// Undated is the partition (day) of rows without a time value.
const Undated = "undated"

// Manifest describes a store: its tables (schema, time column, partition
// files) and the source files ingested into it. It is the store's only
// source of truth: a Parquet file the manifest does not list is not part
// of the store (a leftover of an interrupted ingest).
type Manifest struct {
	Version int          `json:"version"`
	Tables  []*TableMeta `json:"tables"`
	Sources []SourceMeta `json:"sources"`
}

// TableMeta is one table of the store.
type TableMeta struct {
	Name string `json:"name"`
	// TimeColumn is the datetime column the table is partitioned by, ""
	// when it has none (every row is then in the undated partition).
	TimeColumn string          `json:"time_column,omitempty"`
	Columns    []ColumnMeta    `json:"columns"`
	Partitions []PartitionMeta `json:"partitions"`
}

// ColumnMeta is a column and its KQL type name.
type ColumnMeta struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// PartitionMeta is one Parquet file: the rows of one table for one UTC day
// (or Undated) from one ingested source file.
type PartitionMeta struct {
	Day       string `json:"day"`  // YYYY-MM-DD or "undated"
	File      string `json:"file"` // path relative to the store directory, '/'-separated
	Rows      int64  `json:"rows"`
	RowGroups int    `json:"row_groups"`
	MinTime   string `json:"min_time,omitempty"` // ISO 8601 UTC, absent for undated
	MaxTime   string `json:"max_time,omitempty"`
	Source    string `json:"source"` // SHA-256 of the source file
	// Times has the range of every datetime column with a value in the
	// file (the partition column included), for pruning by any of them.
	Times []ColumnRange `json:"times,omitempty"`

	minNS, maxNS int64 // parsed MinTime/MaxTime
}

// ColumnRange is the smallest and largest value of a datetime column in
// a partition file.
type ColumnRange struct {
	Column string `json:"column"`
	Min    string `json:"min"`
	Max    string `json:"max"`

	minNS, maxNS int64
}

// timeRange returns the partition's range on column col; ok is false when
// the column has no value in it.
func (p *PartitionMeta) timeRange(col string) (lo, hi int64, ok bool) {
	for _, r := range p.Times {
		if r.Column == col {
			return r.minNS, r.maxNS, true
		}
	}
	return 0, 0, false
}

// SourceMeta is one ingested source file.
type SourceMeta struct {
	SHA256   string           `json:"sha256"`
	Path     string           `json:"path"`
	Size     int64            `json:"size"`
	Ingested string           `json:"ingested"` // RFC 3339 UTC
	Tables   map[string]int64 `json:"tables"`   // rows stored per table
	Rejected int64            `json:"rows_rejected"`
	Problems int64            `json:"problems"`
}

// Table returns the table called name, or nil.
func (m *Manifest) Table(name string) *TableMeta {
	for _, t := range m.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Source returns the ingested source with this content hash, or nil.
func (m *Manifest) Source(sha string) *SourceMeta {
	for i := range m.Sources {
		if m.Sources[i].SHA256 == sha {
			return &m.Sources[i]
		}
	}
	return nil
}

// Rows returns the number of rows of the table.
func (t *TableMeta) Rows() int64 {
	var n int64
	for _, p := range t.Partitions {
		n += p.Rows
	}
	return n
}

// TimeColumns returns the datetime columns a scan can prune by: the
// partition column first, then the others in schema order.
func (t *TableMeta) TimeColumns() []string {
	var out []string
	if t.TimeColumn != "" {
		out = append(out, t.TimeColumn)
	}
	for _, c := range t.Columns {
		if c.Type == types.DateTime.String() && c.Name != t.TimeColumn {
			out = append(out, c.Name)
		}
	}
	return out
}

// Schema returns the table's KQL schema.
func (t *TableMeta) Schema() *types.Schema {
	s := &types.Schema{Columns: make([]types.Column, len(t.Columns))}
	for i, c := range t.Columns {
		k, ok := types.ParseKind(c.Type)
		if !ok {
			k = types.String
		}
		s.Columns[i] = types.Column{Name: c.Name, Type: k}
	}
	return s
}

// TimeRange returns the smallest and largest time of the table's dated
// rows; ok is false when it has none.
func (t *TableMeta) TimeRange() (minNS, maxNS int64, ok bool) {
	for _, p := range t.Partitions {
		if p.Day == Undated {
			continue
		}
		if !ok || p.minNS < minNS {
			minNS = p.minNS
		}
		if !ok || p.maxNS > maxNS {
			maxNS = p.maxNS
		}
		ok = true
	}
	return
}

func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	m := &Manifest{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, ManifestName), err)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("%s: manifest version %d, this kqlhunt reads version %d", filepath.Join(dir, ManifestName), m.Version, ManifestVersion)
	}
	for _, t := range m.Tables {
		for i := range t.Partitions {
			p := &t.Partitions[i]
			if p.Day == Undated || p.MinTime == "" {
				continue
			}
			lo, err1 := types.ParseDateTime(p.MinTime)
			hi, err2 := types.ParseDateTime(p.MaxTime)
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("%s: table %s partition %s: bad time range: %v", filepath.Join(dir, ManifestName), t.Name, p.File, err)
			}
			p.minNS, p.maxNS = lo, hi
		}
		for i := range t.Partitions {
			p := &t.Partitions[i]
			for j := range p.Times {
				r := &p.Times[j]
				lo, err1 := types.ParseDateTime(r.Min)
				hi, err2 := types.ParseDateTime(r.Max)
				if err := errors.Join(err1, err2); err != nil {
					return nil, fmt.Errorf("%s: table %s partition %s: bad %s range: %v", filepath.Join(dir, ManifestName), t.Name, p.File, r.Column, err)
				}
				r.minNS, r.maxNS = lo, hi
			}
		}
	}
	return m, nil
}

// writeManifest replaces the manifest atomically: a temporary file is
// written and synced, then renamed over the old one, then the directory
// is synced.
func writeManifest(dir string, m *Manifest) error {
	sort.Slice(m.Tables, func(i, j int) bool { return m.Tables[i].Name < m.Tables[j].Name })
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	return writeFileAtomic(filepath.Join(dir, ManifestName), b)
}

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename durable where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func formatTime(ns int64) string { return types.FormatDateTime(ns) }

func nowRFC3339(now func() time.Time) string {
	t := time.Now()
	if now != nil {
		t = now()
	}
	return t.UTC().Format(time.RFC3339)
}
