package ops

import (
	"context"
	"testing"
)

func TestBagUnpack(t *testing.T) {
	mem := checked(t)
	in := src(t, mem, "Name:string,d:dynamic",
		[]any{"James", `{"Name":"John","Age":20}`},
		[]any{"David", `{"Age":40,"Height":170.5,"x":[1]}`},
		[]any{"Emily", `{"Name":"Jasmine","Age":30,"Height":160,"x":"s"}`},
		[]any{"None", nil},
	)
	op, err := NewBagUnpack(context.Background(), mem, in, BagUnpackSpec{Col: 1, Conflict: "replace_source"})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	if got := names(op.Schema()); got != "Name:string,Age:long,Height:real,x:dynamic" {
		t.Errorf("schema %s", got)
	}
	eqRows(t, collect(t, op), []string{"John|20|∅|∅", "|40|170.5|[1]", `Jasmine|30|160|"s"`, "|∅|∅|∅"}, true)

	in = src(t, mem, "Name:string,d:dynamic", []any{"James", `{"Name":"John","Age":20}`})
	if _, err := NewBagUnpack(context.Background(), mem, in, BagUnpackSpec{Col: 1}); err == nil {
		t.Error("name clash without columnsConflict accepted")
	}
	in = src(t, mem, "Name:string,d:dynamic", []any{"James", `{"Name":"John","Age":20,"Addr":"x"}`})
	op2, err := NewBagUnpack(context.Background(), mem, in, BagUnpackSpec{Col: 1, Prefix: "p_", Ignored: []string{"Addr"}})
	if err != nil {
		t.Fatal(err)
	}
	defer op2.Close()
	if got := names(op2.Schema()); got != "Name:string,p_Age:long,p_Name:string" {
		t.Errorf("schema %s", got)
	}
	eqRows(t, collect(t, op2), []string{"James|20|John"}, true)
}
