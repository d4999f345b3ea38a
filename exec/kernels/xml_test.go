package kernels

import (
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestParseXML(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<event><id>4624</id><user name="bob" domain="C">x</user></event>`, `{"event":{"id":"4624","user":{"@name":"bob","@domain":"C","#text":"x"}}}`},
		{`<?xml version="1.0"?><a><b>1</b><b>2</b><b>3</b></a>`, `{"a":{"b":["1","2","3"]}}`},
		{`<a><b/></a>`, `{"a":{"b":null}}`},
	} {
		v, err := ParseXML(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := types.FormatDynamic(v); got != c.want {
			t.Errorf("ParseXML(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	if _, err := ParseXML("not xml"); err == nil {
		t.Error("ParseXML of text without an element should fail")
	}
	if got := callScalar(t, "parse_xml", "<a>1</a>"); types.FormatDynamic(got) != `{"a":"1"}` {
		t.Errorf("parse_xml kernel = %v", got)
	}
	if got := callScalar(t, "parse_xml", "oops"); got != nil {
		t.Errorf("parse_xml of non-XML = %v, want null", got)
	}
	if got := callScalar(t, "arraylength", types.Dynamic); got != nil {
		t.Errorf("arraylength(null) = %v", got)
	}
}
