package kernels

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestArrayKernels(t *testing.T) {
	arr5 := `[1,2,3,4,5]`
	dxtCheck(t, []dxtCase{
		{"array_length", "array_length", 4, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `[1, 2, 3, "four"]`, `[]`, `{"a":1}`, nil)}
		}, []string{"4", "0", "<null>", "<null>"}},
		{"array_concat", "array_concat", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `[1,2,4]`, `[1]`), dxtDyn(m, `[1,2]`, `"x"`)}
		}, []string{`[1,2,4,1,2]`, "<null>"}},
		{"array_slice", "array_slice", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `[1,2,3]`, arr5, arr5), dxtCol(m, types.Long, int64(1), int64(2), int64(-3)), dxtCol(m, types.Long, int64(2), int64(-1), int64(-2))}
		}, []string{`[2,3]`, `[3,4,5]`, `[3,4]`}},
		{"array_slice empty", "array_slice", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, arr5), dxtLongS(m, 4), dxtLongS(m, 1)}
		}, []string{`[]`}},
		{"array_reverse", "array_reverse", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[1,"a",null]`)}
		}, []string{`[null,"a",1]`}},
		{"array_rotate_left", "array_rotate_left", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, arr5), dxtCol(m, types.Long, int64(2), int64(-2))}
		}, []string{`[3,4,5,1,2]`, `[4,5,1,2,3]`}},
		{"array_rotate_right", "array_rotate_right", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, arr5), dxtCol(m, types.Long, int64(2), int64(-2))}
		}, []string{`[4,5,1,2,3]`, `[3,4,5,1,2]`}},
		{"array_shift_left", "array_shift_left", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, arr5), dxtCol(m, types.Long, int64(2), int64(-2)), dxtLongS(m, -1)}
		}, []string{`[3,4,5,-1,-1]`, `[-1,-1,1,2,3]`}},
		{"array_shift_left null fill", "array_shift_left", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, arr5), dxtLongS(m, 2)}
		}, []string{`[3,4,5,null,null]`}},
		{"array_shift_right", "array_shift_right", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, arr5), dxtCol(m, types.Long, int64(2), int64(-2)), dxtLongS(m, -1)}
		}, []string{`[-1,-1,1,2,3]`, `[3,4,5,-1,-1]`}},
		{"array_sort_asc nulls last", "array_sort_asc", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[null,"blue","yellow","green",null]`)}
		}, []string{`["blue","green","yellow",null,null]`}},
		{"array_sort_desc nulls first", "array_sort_desc", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[null,"blue","yellow","green",null]`), dxtS(m, types.Bool, false)}
		}, []string{`[null,null,"yellow","green","blue"]`}},
		{"array_sort_asc two arrays", "array_sort_asc", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[1,3,4,5,2]`), dxtDynS(m, `["a","b","c","d","e"]`)}
		}, []string{`[[1,2,3,4,5],["a","e","b","c","d"]]`}},
		{"array_sort_desc two arrays", "array_sort_desc", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[1,3,4,5,2]`), dxtDynS(m, `["a","b","c","d","e"]`)}
		}, []string{`[[5,4,3,2,1],["d","c","b","e","a"]]`}},
		{"array_sort numbers mixed", "array_sort_asc", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[2.5,1,10,-3]`)}
		}, []string{`[-3,1,2.5,10]`}},
		{"array_split", "array_split", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, arr5), dxtDyn(m, `[1,3]`, `2`)}
		}, []string{`[[1],[2,3],[4,5]]`, `[[1,2],[3,4,5]]`}},
		{"array_split long", "array_split", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, arr5), dxtLongS(m, -1)}
		}, []string{`[[1,2,3,4],[5]]`}},
		{"array_sum", "array_sum", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `[1,2.5,3]`, `[1,"x"]`, `[]`)}
		}, []string{"6.5", "<null>", "0"}},
		{"array_iff", "array_iff", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `[true,true,true]`, `[true,0,"x",1]`), dxtDyn(m, `[1,2]`, `[1,2,3,4]`), dxtDyn(m, `[3,4]`, `[5,6,7,8]`)}
		}, []string{`[1,2,null]`, `[1,6,null,4]`}},
		{"array_iff scalar branches", "array_iff", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[true,false]`), dxtLongS(m, 1), dxtLongS(m, 0)}
		}, []string{`[1,0]`}},
		{"array_index_of", "array_index_of", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `["this","is","an","example","an","example"]`), dxtStrS(m, "an")}
		}, []string{"2"}},
		{"array_index_of ranges", "array_index_of", 6, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `["this","is","an","example","an","example"]`),
				dxtCol(m, types.String, "example", "example", "is", "an", "an", "is"),
				dxtCol(m, types.Long, int64(1), int64(1), int64(2), int64(1), int64(-3), int64(-4)),
				dxtCol(m, types.Long, int64(3), int64(2), int64(4), int64(-1), nil, nil),
				dxtCol(m, types.Long, nil, nil, nil, int64(2), nil, nil)}
		}, []string{"3", "-1", "-1", "4", "4", "-1"}},
		{"set_has_element", "set_has_element", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `["this","is","an","example"]`, `[1,2]`), dxtCol(m, types.String, "example", "1")}
		}, []string{"true", "false"}},
		{"set_has_element number", "set_has_element", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[1,2.0]`), dxtLongS(m, 2)}
		}, []string{"true"}},
		{"set_union", "set_union", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[1,2,1,4]`), dxtDynS(m, `[1,2]`), dxtDynS(m, `[8]`)}
		}, []string{`[1,2,4,8]`}},
		{"set_intersect", "set_intersect", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[1,2,3,2]`), dxtDynS(m, `[2,3,4]`), dxtDynS(m, `[3,2]`)}
		}, []string{`[2,3]`}},
		{"set_difference", "set_difference", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[1,2,1,4]`), dxtDynS(m, `[1,2]`), dxtDynS(m, `[1,2,8]`)}
		}, []string{`[4]`}},
		{"jaccard_index", "jaccard_index", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `[1,2,3]`, `[]`), dxtDyn(m, `[1,2,3,4]`, `[]`)}
		}, []string{`0.75`, `"NaN"`}},
		{"zip", "zip", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `[1,3,5]`, `[1]`), dxtDyn(m, `[2,4,6]`, `["one","two"]`)}
		}, []string{`[[1,2],[3,4],[5,6]]`, `[[1,"one"],[null,"two"]]`}},
		{"repeat", "repeat", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrS(m, "a"), dxtCol(m, types.Long, int64(3), int64(0), nil)}
		}, []string{`["a","a","a"]`, `[]`, "<null>"}},
		{"range long", "range", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtLongS(m, 1), dxtLongS(m, 8), dxtLongS(m, 3)}
		}, []string{`[1,4,7]`}},
		{"range default step and descending", "range", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtCol(m, types.Long, int64(1), int64(3)), dxtCol(m, types.Long, int64(3), int64(1))}
		}, []string{`[1,2,3]`, `[]`}},
		{"range timespan", "range", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtS(m, types.TimeSpan, types.Hour), dxtS(m, types.TimeSpan, 5*types.Hour)}
		}, []string{`["01:00:00","02:00:00","03:00:00","04:00:00","05:00:00"]`}},
		{"range datetime", "range", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtS(m, types.DateTime, int64(0)), dxtS(m, types.DateTime, types.Day), dxtS(m, types.TimeSpan, 12*types.Hour)}
		}, []string{`["1970-01-01T00:00:00.0000000Z","1970-01-01T12:00:00.0000000Z","1970-01-02T00:00:00.0000000Z"]`}},
		{"range real", "range", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtS(m, types.Real, 0.5), dxtS(m, types.Real, 1.6), dxtS(m, types.Real, 0.5)}
		}, []string{`[0.5,1.0,1.5]`}},
	})
}

func TestRangeLimit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	k, _ := Scalar("range")
	args := []Datum{dxtLongS(mem, 1), dxtLongS(mem, 1000000000)}
	res, err := k(&Ctx{Mem: mem}, args, 1)
	args[0].Release()
	args[1].Release()
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	got := dxtRender(res)[0]
	if n := strings.Count(got, ",") + 1; n != maxRangeValues || !strings.HasSuffix(got, ",1048575,1048576]") {
		t.Fatalf("range(1, 1e9) has %d values, want %d", n, maxRangeValues)
	}
}
