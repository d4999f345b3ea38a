package detectors

import (
	"context"
	"math"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

// Rarity is stacking as a detector: for each row, how rare its value is for
// its entity (this user rarely uses this ISP) and across the population (few
// users use it at all).
type Rarity struct{}

// Describe declares `evaluate rarity(entity, value [, value2, value3])`.
func (Rarity) Describe() sdk.Description {
	return sdk.Description{
		Name:        "rarity",
		Version:     "1.0.0",
		Description: "how rare each row's value is for its entity and across all entities",
		Params: []sdk.Param{
			{Name: "entity", Type: "column", Description: "who: user, mailbox, device"},
			{Name: "value", Type: "column", Description: "what is stacked: ISP, country, user agent, app"},
			{Name: "value2", Type: "column", Optional: true, Description: "a second column; values are stacked as pairs"},
			{Name: "value3", Type: "column", Optional: true, Description: "a third column"},
		},
		Columns: []sdk.Column{
			{Name: "EntityValueCount", Type: "long"}, {Name: "EntityTotal", Type: "long"},
			{Name: "ValueEntities", Type: "long"}, {Name: "Entities", Type: "long"},
			{Name: "Rarity", Type: "real"},
		},
		KeepInput: true,
	}
}

// Evaluate reads all rows, counts, then emits every row with its scores.
func (d Rarity) Evaluate(ctx context.Context, call *sdk.Call, in sdk.Input, out sdk.Output) error {
	ei, err := columnArg(call, "entity")
	if err != nil {
		return err
	}
	vcols := []int{}
	for _, n := range []string{"value", "value2", "value3"} {
		if n != "value" && !call.Has(n) {
			continue
		}
		i, err := columnArg(call, n)
		if err != nil {
			return err
		}
		vcols = append(vcols, i)
	}
	recs, err := readAll(ctx, in)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	key := func(rec arrow.Record, i int) string {
		parts := make([]string, len(vcols))
		for j, c := range vcols {
			parts[j] = text(rec.Column(c), i)
		}
		return strings.Join(parts, "\x1f")
	}
	type ev struct{ e, v string }
	pair := map[ev]int64{}
	entTotal := map[string]int64{}
	valEnts := map[string]map[string]bool{}
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			e, v := text(rec.Column(ei), i), key(rec, i)
			pair[ev{e, v}]++
			entTotal[e]++
			if valEnts[v] == nil {
				valEnts[v] = map[string]bool{}
			}
			valEnts[v][e] = true
		}
	}
	entities := int64(len(entTotal))
	schema, err := call.OutputSchema(d.Describe())
	if err != nil {
		return err
	}
	for _, rec := range recs {
		n := int(rec.NumRows())
		bs := []*array.Int64Builder{array.NewInt64Builder(call.Mem), array.NewInt64Builder(call.Mem), array.NewInt64Builder(call.Mem), array.NewInt64Builder(call.Mem)}
		rb := array.NewFloat64Builder(call.Mem)
		for i := 0; i < n; i++ {
			e, v := text(rec.Column(ei), i), key(rec, i)
			c, t, ve := pair[ev{e, v}], entTotal[e], int64(len(valEnts[v]))
			bs[0].Append(c)
			bs[1].Append(t)
			bs[2].Append(ve)
			bs[3].Append(entities)
			r := (1 - float64(c)/float64(t)) * (1 - float64(ve-1)/float64(max(entities, 1)))
			rb.Append(math.Round(r*10000) / 10000)
		}
		cols := append([]arrow.Array{}, rec.Columns()...)
		var made []arrow.Array
		for _, b := range bs {
			made = append(made, b.NewArray())
			b.Release()
		}
		made = append(made, rb.NewArray())
		rb.Release()
		o := array.NewRecord(schema, append(cols, made...), int64(n))
		err := out.Emit(o)
		o.Release()
		for _, a := range made {
			a.Release()
		}
		if err != nil {
			return err
		}
	}
	return nil
}
