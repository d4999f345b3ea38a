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

// Column declares an output column.
type Column struct {
	Name string
	Type string // KQL type name
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

// OutputSchema returns the Arrow schema a detector must emit for an input schema.
func (d Description) OutputSchema(input *arrow.Schema) (*arrow.Schema, error) {
	var fields []arrow.Field
	if d.KeepInput && input != nil {
		fields = append(fields, input.Fields()...)
	}
	for _, c := range d.Columns {
		k, ok := types.ParseKind(c.Type)
		if !ok {
			return nil, fmt.Errorf("detector %s: output column %s has unknown type %q", d.Name, c.Name, c.Type)
		}
		fields = append(fields, kernels.Field(c.Name, k))
	}
	return arrow.NewSchema(fields, nil), nil
}
