package check

import (
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func cols(s *types.Schema) string {
	var out []string
	for _, c := range s.Columns {
		out = append(out, c.Name+":"+c.Type.String())
	}
	return strings.Join(out, ",")
}

func TestJoinLookupMvApplySchemas(t *testing.T) {
	l := &types.Schema{Columns: []types.Column{{Name: "Key", Type: types.String}, {Name: "Key1", Type: types.Long}, {Name: "v", Type: types.Long}}}
	r := &types.Schema{Columns: []types.Column{{Name: "Key", Type: types.String}, {Name: "v", Type: types.Real}}}
	cases := map[string]string{
		"innerunique": "Key:string,Key1:long,v:long,Key2:string,v1:real",
		"leftsemi":    "Key:string,Key1:long,v:long",
		"rightanti":   "Key:string,v:real",
		"fullouter":   "Key:string,Key1:long,v:long,Key2:string,v1:real",
	}
	for kind, want := range cases {
		if got := cols(JoinSchema(l, r, kind)); got != want {
			t.Errorf("%s: %s, want %s", kind, got, want)
		}
	}
	if got := cols(LookupSchema(l, r, []string{"Key"})); got != "Key:string,Key1:long,v:long,v1:real" {
		t.Errorf("lookup: %s", got)
	}
	sub := &types.Schema{Columns: []types.Column{{Name: "v", Type: types.Dynamic}, {Name: "n", Type: types.Long}}}
	info := &MvExpandInfo{Items: []MvItemInfo{{Name: "Key1", Column: true}}}
	if got := cols(MvApplySchema(l, sub, info)); got != "Key:string,v:dynamic,n:long" {
		t.Errorf("mv-apply: %s", got)
	}
}
