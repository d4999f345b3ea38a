// Package detectors holds kqlhunt's built-in detectors, written with the
// plugin SDK. They ship inside the kqlhunt binary but still run out of
// process: the host re-executes kqlhunt in plugin mode, so they take exactly
// the path external plugins take.
package detectors

import (
	"context"
	"fmt"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

// All returns the built-in detectors by name.
func All() map[string]sdk.Detector {
	return map[string]sdk.Detector{
		"impossible_travel": ImpossibleTravel{},
		"inboxrule_risk":    InboxRuleRisk{},
		"rarity":            Rarity{},
	}
}

// Names returns the built-in detector names, sorted.
func Names() []string {
	var out []string
	for n := range All() {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// readAll drains the input, keeping every record (the caller releases them).
func readAll(ctx context.Context, in sdk.Input) ([]arrow.Record, error) {
	var recs []arrow.Record
	for {
		rec, err := in.Next(ctx)
		if err != nil {
			for _, r := range recs {
				r.Release()
			}
			return nil, err
		}
		if rec == nil {
			return recs, nil
		}
		recs = append(recs, rec)
	}
}

// text returns row i of a column as text (for keys and string arguments);
// null → "".
func text(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return ""
	}
	switch c := a.(type) {
	case *array.String:
		return c.Value(i)
	case *array.LargeString:
		return c.Value(i)
	case *array.Binary:
		return string(c.Value(i))
	}
	return a.ValueStr(i)
}

// float returns row i of a numeric column.
func float(a arrow.Array, i int) (float64, bool) {
	if a.IsNull(i) {
		return 0, false
	}
	switch c := a.(type) {
	case *array.Float64:
		return c.Value(i), true
	case *array.Float32:
		return float64(c.Value(i)), true
	case *array.Int64:
		return float64(c.Value(i)), true
	case *array.Int32:
		return float64(c.Value(i)), true
	}
	return 0, false
}

// nanos returns row i of a datetime column as Unix nanoseconds.
func nanos(a arrow.Array, i int) (int64, bool) {
	if a.IsNull(i) {
		return 0, false
	}
	switch c := a.(type) {
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		return int64(c.Value(i)) * int64(unit.Multiplier()), true
	case *array.Int64:
		return c.Value(i), true
	case *array.String:
		ns, err := types.ParseDateTime(c.Value(i))
		return ns, err == nil
	}
	return 0, false
}

func columnArg(call *sdk.Call, name string) (int, error) {
	i, err := call.ColumnIndex(name)
	if err != nil {
		return -1, fmt.Errorf("%v (pass the column's name)", err)
	}
	return i, nil
}
