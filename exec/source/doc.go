// Package source reads input files into catalog tables.
//
// # Using it (the CLI and the golden-test runner)
//
//	opts := source.Options{Mem: mem, Strict: strict} // Report/Note default to the catalog's
//	err := source.Bind(cat, []source.Binding{
//		{Path: "logs/"},                  // every supported file in logs/, named by base name
//		{Name: "Events", Path: "a.csv"},  // one file under a name
//		{Name: "Events", Path: "b.jsonl"}, // same name again: concatenated (columns unified by name)
//		{Name: "Sign", Path: "x/*.json"}, // a glob or directory under a name: concatenated
//	}, opts)
//	// err is a *source.Error (exit code 2 in the CLI) for a missing or
//	// unreadable file, an unsupported format, or — with Strict — the first
//	// row that could not be loaded.
//
// Tables from in-memory files (txtar golden tests): source.ReadBytes(name,
// fileName, data, opts) returns the tables of one file whose format is
// detected from fileName and content ("Name:type" typed CSV, JSONL, ...).
//
// # Tables
//
// Tables are lazy: Bind reads each text file once to learn (or check) its
// schema and to report every row it cannot load (catalog.Problem with file,
// line or record number, field and reason); Scan then streams records of
// ScanOptions.BatchRows rows (default 64 Ki) built with Options.Mem. Scan
// honours ScanOptions.Columns: the reader's schema is then the projection in
// the requested order (unknown names are ignored). Fields come from
// kernels.Field, so each carries its KQL type in the "kql.type" metadata.
//
// Nothing is dropped silently: a cell that does not parse as its column's
// type becomes null and is reported; a row with too few cells is loaded with
// nulls and reported; a row with too many cells is loaded without the extra
// cells and reported; a row that is not well-formed (bad quoting, invalid
// JSON) is skipped and reported.
//
// # Formats
//
// Built in: typed CSV (a "Name:type" header as in DESIGN.md §6), plain CSV
// with inferred types, TSV, JSON lines, JSON arrays, Parquet and Arrow IPC
// (file and stream), each optionally gzip- or zstd-compressed (detected by
// magic bytes), text in UTF-8 (with or without BOM) or UTF-16 with a BOM.
// Other formats (M365 exports: UAL, Sentinel, .eml) plug in with Register;
// a Format may turn one file into several tables (Part.Table).
package source
