// Package sdk is what a kqlhunt detector author imports. A detector is a
// type with Describe and Evaluate; its main calls Serve:
//
//	func main() { sdk.Serve(myDetector{}) }
//
// The host starts the binary, calls Describe to learn its signature (so the
// query checker can type `evaluate name(...)` calls), and Evaluate once per
// query call with the input rows as Arrow record batches.
package sdk

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Param declares one argument of the detector.
type Param struct {
	Name string
	// Type is a KQL type name ("string", "long", "real", "bool",
	// "datetime", "timespan", "dynamic"), "column" for a column reference of
	// any type, or "column:<type>" for a column of that type.
	Type        string
	Optional    bool
	Default     string // KQL literal text used when an optional argument is omitted
	Description string
}

// Column declares an output column. A Name of the form "$param" stands
// for the input column passed as the column argument param (the output
// keeps that column's name), and Type "$" for that column's type.
type Column struct {
	Name string
	Type string // KQL type name, or "$" with a "$param" name
}

// Description is a detector's signature.
type Description struct {
	Name        string
	Version     string
	Description string
	Params      []Param
	// Columns is the output schema. With KeepInput, the input columns come
	// first and Columns are appended after them.
	Columns   []Column
	KeepInput bool
}

// Arg is one actual argument of a call.
type Arg struct {
	Name  string
	Kind  string // "column" or a KQL type name
	Value string // column name, or the value in Kusto text form (JSON for dynamic)
}

// Call is one evaluation: the arguments and the input schema.
type Call struct {
	Args   map[string]Arg
	Input  *arrow.Schema
	Mem    memory.Allocator
	params []Param
}

// Has reports whether the argument was given (or has a default).
func (c *Call) Has(name string) bool { _, ok := c.Args[name]; return ok }

// ColumnIndex returns the input column named by the column argument name.
func (c *Call) ColumnIndex(name string) (int, error) {
	a, ok := c.Args[name]
	if !ok {
		return -1, fmt.Errorf("argument %s is missing", name)
	}
	idx := c.Input.FieldIndices(a.Value)
	if len(idx) == 0 {
		return -1, fmt.Errorf("argument %s: no input column %q", name, a.Value)
	}
	return idx[0], nil
}

// String returns a string argument.
func (c *Call) String(name string) (string, error) {
	a, ok := c.Args[name]
	if !ok {
		return "", fmt.Errorf("argument %s is missing", name)
	}
	return a.Value, nil
}

// Real returns a numeric argument as float64.
func (c *Call) Real(name string) (float64, error) {
	a, ok := c.Args[name]
	if !ok {
		return 0, fmt.Errorf("argument %s is missing", name)
	}
	f, err := strconv.ParseFloat(a.Value, 64)
	if err != nil {
		return 0, fmt.Errorf("argument %s: %q is not a number", name, a.Value)
	}
	return f, nil
}

// Long returns an integer argument.
func (c *Call) Long(name string) (int64, error) {
	f, err := c.Real(name)
	return int64(f), err
}

// Bool returns a bool argument.
func (c *Call) Bool(name string) (bool, error) {
	a, ok := c.Args[name]
	if !ok {
		return false, fmt.Errorf("argument %s is missing", name)
	}
	b, err := strconv.ParseBool(a.Value)
	if err != nil {
		return false, fmt.Errorf("argument %s: %q is not a bool", name, a.Value)
	}
	return b, nil
}

// Input is the stream of input records. Next returns (nil, nil) at the end;
// the detector releases each record it gets.
//
// Input records, and every string or slice taken from them, are valid only
// until Evaluate returns: over shared memory they are read without copying,
// straight from the mapped file the host wrote, which is unmapped when the
// call ends. Copy what must outlive the call (strings.Clone, or a builder).
// Emitting an input column unchanged (the same arrow.Array, as in
// KeepInput detectors) sends the host a reference to its own column instead
// of the data.
type Input interface {
	Next(ctx context.Context) (arrow.Record, error)
}

// Output receives output records; Emit does not take ownership (the caller
// still releases rec).
type Output interface {
	Emit(rec arrow.Record) error
}

// Detector is implemented by plugin authors.
type Detector interface {
	Describe() Description
	Evaluate(ctx context.Context, call *Call, in Input, out Output) error
}

// OutputSchema returns the Arrow schema a detector must emit for an input
// schema and the call's arguments (args may be nil to validate the
// declaration alone).
func (d Description) OutputSchema(input *arrow.Schema, args map[string]Arg) (*arrow.Schema, error) {
	var fields []arrow.Field
	if d.KeepInput && input != nil {
		fields = append(fields, input.Fields()...)
	}
	for _, c := range d.Columns {
		if strings.HasPrefix(c.Name, "$") {
			param := c.Name[1:]
			a, ok := args[param]
			if args == nil {
				continue
			}
			if !ok || input == nil {
				return nil, fmt.Errorf("detector %s: output column %s needs the column argument %s", d.Name, c.Name, param)
			}
			idx := input.FieldIndices(a.Value)
			if len(idx) == 0 {
				return nil, fmt.Errorf("detector %s: argument %s names no input column %q", d.Name, param, a.Value)
			}
			f := input.Field(idx[0])
			fields = append(fields, kernels.Field(f.Name, kernels.KindOf(f)))
			continue
		}
		k, ok := types.ParseKind(c.Type)
		if !ok {
			return nil, fmt.Errorf("detector %s: output column %s has unknown type %q", d.Name, c.Name, c.Type)
		}
		fields = append(fields, kernels.Field(c.Name, k))
	}
	return arrow.NewSchema(fields, nil), nil
}

// ArgsFrom indexes a call's arguments by name, filling in declared defaults.
func (d Description) ArgsFrom(args []Arg) map[string]Arg {
	m := map[string]Arg{}
	for _, a := range args {
		m[a.Name] = a
	}
	for _, p := range d.Params {
		if _, ok := m[p.Name]; !ok && p.Optional && p.Default != "" {
			m[p.Name] = Arg{Name: p.Name, Kind: p.Type, Value: strings.Trim(p.Default, `"'`)}
		}
	}
	return m
}

// OutputSchema returns the schema this call must emit.
func (c *Call) OutputSchema(d Description) (*arrow.Schema, error) {
	return d.OutputSchema(c.Input, c.Args)
}
