// Command kqlhunt-plugin-passthrough is the smallest useful detector: it
// returns its input unchanged, plus a RowNumber column. Copy it to start a
// detector of your own (see docs/plugins.md).
package main

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

type passthrough struct{}

func (passthrough) Describe() sdk.Description {
	return sdk.Description{
		Name:        "passthrough",
		Version:     "1.0.0",
		Description: "returns the input rows unchanged with their row number",
		Params:      []sdk.Param{{Name: "start", Type: "long", Optional: true, Default: "1", Description: "number of the first row"}},
		Columns:     []sdk.Column{{Name: "RowNumber", Type: "long"}},
		KeepInput:   true,
	}
}

func (passthrough) Evaluate(ctx context.Context, call *sdk.Call, in sdk.Input, out sdk.Output) error {
	n, err := call.Long("start")
	if err != nil {
		return err
	}
	desc := passthrough{}.Describe()
	schema, err := call.OutputSchema(desc)
	if err != nil {
		return err
	}
	for {
		rec, err := in.Next(ctx)
		if err != nil || rec == nil {
			return err
		}
		b := array.NewInt64Builder(call.Mem)
		for i := int64(0); i < rec.NumRows(); i++ {
			b.Append(n)
			n++
		}
		nums := b.NewArray()
		cols := append(append([]arrow.Array{}, rec.Columns()...), nums)
		outRec := array.NewRecord(schema, cols, rec.NumRows())
		err = out.Emit(outRec)
		outRec.Release()
		nums.Release()
		b.Release()
		rec.Release()
		if err != nil {
			return err
		}
	}
}

func main() { sdk.Serve(passthrough{}) }
