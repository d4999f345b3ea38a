package ops

import (
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func lit(s string) ParsePartSpec { return ParsePartSpec{IsLiteral: true, Literal: s} }
func col(n string, k types.Kind) ParsePartSpec {
	return ParsePartSpec{Name: n, Type: k}
}

var star = ParsePartSpec{Star: true}

const ev1 = "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)"
const evBadLong = "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=x27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)"
const evBadDate = "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=bad, previousLockTime=02/17/2016 08:39:01)"

var tracePattern = []ParsePartSpec{star, lit("resourceName="), col("resourceName", types.Unknown), lit(", totalSlices="), col("totalSlices", types.Long),
	lit(", sliceNumber="), col("sliceNumber", types.Long), star, lit("releaseTime="), col("releaseTime", types.DateTime), lit(","), star}

func runParse(t *testing.T, spec ParseSpec) ([]string, string) {
	mem := checked(t)
	in := src(t, mem, "EventText:string", []any{ev1}, []any{evBadLong}, []any{evBadDate})
	spec.Col = 0
	p, err := NewParse(kctx(mem), in, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	return collect(t, p), names(p.Schema())
}

func TestParseSimpleRelaxedWhere(t *testing.T) {
	rows, schema := runParse(t, ParseSpec{Parts: tracePattern})
	if schema != "EventText:string,resourceName:string,totalSlices:long,sliceNumber:long,releaseTime:datetime" {
		t.Errorf("schema %s", schema)
	}
	want := []string{ev1 + "|PipelineScheduler|27|23|2016-02-17 08:40:01Z", evBadLong + "||∅|∅|∅", evBadDate + "||∅|∅|∅"}
	eqRows(t, rows, want, true)

	rows, _ = runParse(t, ParseSpec{Kind: "relaxed", Parts: tracePattern})
	want = []string{ev1 + "|PipelineScheduler|27|23|2016-02-17 08:40:01Z", evBadLong + "|PipelineScheduler|∅|23|2016-02-17 08:40:01Z", evBadDate + "|PipelineScheduler|27|23|∅"}
	eqRows(t, rows, want, true)

	rows, _ = runParse(t, ParseSpec{Where: true, Parts: tracePattern})
	eqRows(t, rows, []string{ev1 + "|PipelineScheduler|27|23|2016-02-17 08:40:01Z"}, true)
}

func TestParseRegexGreedyAndFlags(t *testing.T) {
	parts := []ParsePartSpec{star, lit("resourceName="), col("r", types.Unknown), lit(","), star}
	rows, _ := runParse(t, ParseSpec{Kind: "regex", Parts: parts})
	if len(rows) != 3 || rows[0] != ev1+"|PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01" {
		t.Errorf("greedy regex: %q", rows)
	}
	rows, _ = runParse(t, ParseSpec{Kind: "regex", Flags: "U", Parts: parts})
	if len(rows) != 3 || rows[0] != ev1+"|PipelineScheduler" {
		t.Errorf("ungreedy regex: %q", rows)
	}
	parts = []ParsePartSpec{star, lit("RESOURCENAME="), col("r", types.Unknown), lit(","), star}
	rows, _ = runParse(t, ParseSpec{Kind: "regex", Where: true, Parts: parts})
	if len(rows) != 0 {
		t.Errorf("case-sensitive regex matched: %q", rows)
	}
	rows, _ = runParse(t, ParseSpec{Kind: "regex", Flags: "Ui", Where: true, Parts: parts})
	if len(rows) != 3 || rows[0] != ev1+"|PipelineScheduler" {
		t.Errorf("flags=Ui: %q", rows)
	}
}
