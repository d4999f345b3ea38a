// Command testplugin is built once by the host tests and copied under several
// names; its behaviour follows its file name (kqlhunt-plugin-<behaviour>):
// echo (input back with a Score column), crash (dies after the first batch),
// hang (never answers), liar (declares one schema, returns another),
// failer (reports an error as data).
package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

type detector struct{ behaviour string }

func (d detector) Describe() sdk.Description {
	return sdk.Description{
		Name:      d.behaviour,
		Version:   "0.0.1",
		Params:    []sdk.Param{{Name: "factor", Type: "real", Optional: true, Default: "2"}},
		Columns:   []sdk.Column{{Name: "Score", Type: "real"}},
		KeepInput: true,
	}
}

func (d detector) Evaluate(ctx context.Context, call *sdk.Call, in sdk.Input, out sdk.Output) error {
	factor, err := call.Real("factor")
	if err != nil {
		return err
	}
	desc := d.Describe()
	schema, _ := call.OutputSchema(desc)
	for batch := 0; ; batch++ {
		rec, err := in.Next(ctx)
		if err != nil || rec == nil {
			return err
		}
		switch d.behaviour {
		case "crash":
			if batch == 1 {
				var m map[string]int
				m["simulated crash"]++ // a real bug: write to a nil map panics the process
			}
		case "hang":
			time.Sleep(time.Hour)
		case "failer":
			rec.Release()
			return errors.New("the input has no column I can score")
		case "liar":
			schema = arrow.NewSchema([]arrow.Field{kernels.Field("Surprise", types.String)}, nil)
			b := array.NewStringBuilder(call.Mem)
			for i := int64(0); i < rec.NumRows(); i++ {
				b.Append("boo")
			}
			col := b.NewArray()
			lie := array.NewRecord(schema, []arrow.Array{col}, rec.NumRows())
			err := out.Emit(lie)
			lie.Release()
			col.Release()
			b.Release()
			rec.Release()
			return err
		}
		b := array.NewFloat64Builder(call.Mem)
		for i := int64(0); i < rec.NumRows(); i++ {
			b.Append(float64(i) * factor)
		}
		score := b.NewArray()
		cols := append(append([]arrow.Array{}, rec.Columns()...), score)
		o := array.NewRecord(schema, cols, rec.NumRows())
		err = out.Emit(o)
		o.Release()
		score.Release()
		b.Release()
		rec.Release()
		if err != nil {
			return err
		}
	}
}

func main() {
	name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	sdk.Serve(detector{behaviour: strings.TrimPrefix(name, "kqlhunt-plugin-")})
}
