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

func TestIPv4Lookup(t *testing.T) {
	mem := checked(t)
	lk := src(t, mem, "network:string,country:string", []any{"5.8.0.0/19", "RU"}, []any{"2.20.183.0/24", "GB"}, []any{"2.20.0.0/16", "XX"}, []any{"46.36.200.51", "CK"})
	for _, unmatched := range []bool{false, true} {
		lk2 := &tsrc{schema: lk.schema, recs: retainAll(lk.recs)}
		in := src(t, mem, "ip:string,network:long", []any{"2.20.183.12", 1}, []any{"5.8.1.2", 2}, []any{"192.165.12.17", 3}, []any{"46.36.200.51", 4}, []any{"2.20.9.9", 5})
		op, err := NewIPv4Lookup(context.Background(), mem, in, lk2, 0, 0, unmatched)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(op.Schema()); got != "ip:string,network:long,network1:string,country:string" {
			t.Errorf("schema %s", got)
		}
		want := []string{"2.20.183.12|1|2.20.183.0/24|GB", "5.8.1.2|2|5.8.0.0/19|RU", "46.36.200.51|4|46.36.200.51|CK", "2.20.9.9|5|2.20.0.0/16|XX"}
		if unmatched {
			want = []string{"2.20.183.12|1|2.20.183.0/24|GB", "5.8.1.2|2|5.8.0.0/19|RU", "192.165.12.17|3|∅|∅", "46.36.200.51|4|46.36.200.51|CK", "2.20.9.9|5|2.20.0.0/16|XX"}
		}
		eqRows(t, collect(t, op), want, true)
		op.Close()
	}
	lk.Close()
	if _, _, ok := parseCIDR4("1.2.3/8"); ok {
		t.Error("bad address accepted")
	}
}
