package kernels

// Kernels of lang/funcs/xml.go: parse_xml() and arraylength().

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterScalar("parse_xml", kParseXML)
	RegisterScalar("arraylength", kArrayLength)
}

func kParseXML(ctx *Ctx, args []Datum, n int) (Datum, error) {
	get := Strings(args[0])
	m := OutLen(args, n)
	vals := make([]any, m)
	for i := 0; i < m; i++ {
		s, ok := get(i)
		if !ok {
			continue
		}
		if v, err := ParseXML(s); err == nil {
			vals[i] = v
		}
	}
	arr := FromValuesMem(Mem(ctx), types.Dynamic, vals)
	if AllScalar(args) {
		return Datum{Kind: types.Dynamic, Array: arr, Scalar: true}, nil
	}
	return Datum{Kind: types.Dynamic, Array: arr}, nil
}

// ParseXML converts an XML document to a dynamic value as Kusto's
// parse_xml does: the root is a bag with one property named after the root
// element; an element is null when empty, its text when it has only text,
// and otherwise a bag of its attributes ("@name"), child elements (a
// repeated child becomes an array) and text ("#text").
func ParseXML(s string) (any, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, errors.New("no XML element")
		}
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			v, err := xmlElement(d, se)
			if err != nil {
				return nil, err
			}
			root := types.NewBag(0)
			root.Set(se.Name.Local, v)
			return root, nil
		}
	}
}

func xmlElement(d *xml.Decoder, se xml.StartElement) (any, error) {
	bag := types.NewBag(0)
	for _, a := range se.Attr {
		bag.Set("@"+a.Name.Local, a.Value)
	}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			v, err := xmlElement(d, t)
			if err != nil {
				return nil, err
			}
			name := t.Name.Local
			if old, ok := bag.Get(name); ok {
				if arr, isArr := old.([]any); isArr {
					bag.Set(name, append(arr, v))
				} else {
					bag.Set(name, []any{old, v})
				}
			} else {
				bag.Set(name, v)
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			txt := strings.TrimSpace(text.String())
			if bag.Len() == 0 {
				if txt == "" {
					return nil, nil
				}
				return txt, nil
			}
			if txt != "" {
				bag.Set("#text", txt)
			}
			return bag, nil
		}
	}
}
