// Package store is kqlhunt's ingest-once columnar store: a directory of
// Parquet files partitioned by table and UTC day, described by a JSON
// manifest (manifest.go).
//
// Layout:
//
//	DIR/manifest.json                          tables, schemas, partitions, ingested sources
//	DIR/<Table>/<YYYY-MM-DD>/<sha>-<n>.parquet one source file's rows of one table and day
//	DIR/<Table>/undated/<sha>-<n>.parquet      rows without a time value
//
// Writing (Store.IngestFile) never changes an existing file: new Parquet
// files are written under temporary names and renamed, and only then is the
// manifest replaced (write, sync, rename). A crash at any point leaves the
// previous manifest and the files it lists intact; files it does not list
// are leftovers, ignored by readers and removed by the next ingest.
//
// Reading (Store.Tables) gives catalog tables whose scans skip whole
// partitions outside a time range (catalog.ScanOptions.TimeColumn/From/To)
// and, inside a partition, the row groups whose Parquet statistics on the
// time column lie outside it.
package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
)

// Store is an open store directory.
type Store struct {
	dir   string
	man   *Manifest
	stats *counters
}

// Stats counts what scans of a store's tables opened and skipped.
type Stats struct {
	PartitionsOpened int64 // Parquet files opened by scans
	PartitionsPruned int64 // files skipped by their manifest time range
	RowGroupsRead    int64
	RowGroupsPruned  int64 // row groups skipped by their time column statistics
}

type counters struct {
	partOpened, partPruned, rgRead, rgPruned atomic.Int64
}

// Error is a store error (the CLI exits with the input-data code).
type Error struct {
	Path   string
	Reason string
}

func (e *Error) Error() string { return e.Path + ": " + e.Reason }

// Open opens an existing store.
func Open(dir string) (*Store, error) {
	m, err := readManifest(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, serr := os.Stat(dir); serr != nil {
				return nil, &Error{dir, "no such store directory (create it with kqlhunt ingest --store " + dir + " FILE...)"}
			}
			return nil, &Error{dir, "not a kqlhunt store: no " + ManifestName}
		}
		return nil, &Error{dir, err.Error()}
	}
	return &Store{dir: dir, man: m, stats: &counters{}}, nil
}

// Create opens the store in dir, creating it (with an empty manifest) when
// dir does not exist or is empty. A non-empty directory without a manifest
// is refused, so that a mistyped path never mixes a store with other files.
func Create(dir string) (*Store, error) {
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); err == nil {
		return Open(dir)
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, &Error{dir, "directory is not empty and is not a kqlhunt store (no " + ManifestName + ")"}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &Error{dir, err.Error()}
	}
	m := &Manifest{Version: ManifestVersion, Tables: []*TableMeta{}, Sources: []SourceMeta{}}
	if err := writeManifest(dir, m); err != nil {
		return nil, &Error{dir, err.Error()}
	}
	return &Store{dir: dir, man: m, stats: &counters{}}, nil
}

// Dir returns the store directory.
func (s *Store) Dir() string { return s.dir }

// Manifest returns the store's manifest (do not modify it).
func (s *Store) Manifest() *Manifest { return s.man }

// Stats returns the scan counters of this Store's tables so far.
func (s *Store) Stats() Stats {
	return Stats{
		PartitionsOpened: s.stats.partOpened.Load(),
		PartitionsPruned: s.stats.partPruned.Load(),
		RowGroupsRead:    s.stats.rgRead.Load(),
		RowGroupsPruned:  s.stats.rgPruned.Load(),
	}
}

// Tables returns the store's tables, sorted by name. Scanned records are
// built with mem (nil: the default allocator).
func (s *Store) Tables(mem memory.Allocator) []catalog.Table {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	out := make([]catalog.Table, 0, len(s.man.Tables))
	for _, t := range s.man.Tables {
		out = append(out, newTable(s, t, mem))
	}
	return out
}

// Bind adds the store's tables to cat.
func (s *Store) Bind(cat *catalog.Catalog, mem memory.Allocator) {
	for _, t := range s.Tables(mem) {
		cat.Add(t)
	}
}

// MaxTime returns the latest event time over all tables; ok is false when
// the store has no dated rows.
func (s *Store) MaxTime() (ns int64, ok bool) {
	for _, t := range s.man.Tables {
		if _, hi, tok := t.TimeRange(); tok && (!ok || hi > ns) {
			ns, ok = hi, true
		}
	}
	return
}

// safeName makes a table name usable as a directory name.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "%%%02X", r)
		}
	}
	out := b.String()
	if out == "" || out == "." || out == ".." {
		out = "_" + out
	}
	return out
}
