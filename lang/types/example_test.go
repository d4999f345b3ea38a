package types_test

import (
	"fmt"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func ExampleParseDateTime() {
	ns, _ := types.ParseDateTime("Sat, 8 Nov 14 15:05:02 GMT")
	fmt.Println(types.FormatDateTime(ns))
	fmt.Println(types.FormatDateTimeShort(ns))
	// Output:
	// 2014-11-08T15:05:02.0000000Z
	// 2014-11-08T15:05:02Z
}

func ExampleParseTimeSpan() {
	ns, _ := types.ParseTimeSpan("1d 2h 30m")
	fmt.Println(types.FormatTimeSpan(ns), types.FormatTimeSpan(ns+500*types.Millisecond))
	// Output: 1.02:30:00 1.02:30:00.5000000
}

func ExampleFormatReal() {
	fmt.Println(types.FormatReal(1), types.FormatReal(0.1), types.FormatReal(1e15), types.FormatReal(0.00001))
	// Output: 1 0.1 1E+15 1E-05
}

func ExampleParseDynamic() {
	v, _ := types.ParseDynamic(`{"b": 1, "a": [2.0, "x"]}`)
	bag := v.(*types.Bag)
	a, _ := bag.Get("a")
	fmt.Println(bag.Keys(), types.FormatDynamic(a), types.FormatDynamic(v))
	// Output: [b a] [2.0,"x"] {"b":1,"a":[2.0,"x"]}
}
