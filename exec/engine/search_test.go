package engine

import (
	"strings"
	"testing"
)

// search: the documented term forms, column restriction, case sensitivity,
// views, piped input, and a positioned error for a column no table has.
func TestSearch(t *testing.T) {
	tables := map[string]string{
		"People":   "Name:string,City:string,N:long\nalice,Paris,1\nbob,Berlin Green,2\ncarol,green-ville,3\n",
		"Products": "Product:string,Color:string\nlamp,Green\nchair,blue\nevergreen,red\n",
	}
	const all = "$table:string,Name:string,City:string,N:long,Product:string,Color:string\n"
	cases := []struct{ q, want string }{
		// a term is `has`: whole terms only (evergreen is not "green")
		{`search "green" | order by ['$table'] asc, Name asc`, all +
			"People,bob,Berlin Green,2,,\nPeople,carol,green-ville,3,,\nProducts,,,,lamp,Green\n"},
		{`search "ever*" | project Product`, "Product:string\nevergreen\n"},
		{`search "*green" | project Name, Product`, "Name:string,Product:string\nbob,\ncarol,\n,lamp\n,evergreen\n"},
		{`search "*ergr*" | project Product`, "Product:string\nevergreen\n"},
		{`search "Ber*een" | project Name`, "Name:string\nbob\n"},
		{`search kind=case_sensitive "Green" | project Name, Product`, "Name:string,Product:string\nbob,\n,lamp\n"},
		{`search City:"green" | project Name`, "Name:string\nbob\ncarol\n"},
		{`search in (Products) "green"`, "$table:string,Product:string,Color:string\nProducts,lamp,Green\n"},
		{`search in (Prod*) "red" | project Product`, "Product:string\nevergreen\n"},
		{`People | search "bob"`, "Name:string,City:string,N:long\nbob,Berlin Green,2\n"},
		{`search "green" and N > 2 | project Name`, "Name:string\ncarol\n"},
		{`search "2" | project Name`, "Name:string\nbob\n"},
		{`search * | count`, "Count:long\n6\n"},
		{`search N == 2 or Color == "blue" | project Name, Product`, "Name:string,Product:string\nbob,\n,chair\n"},
		{`let V = view () { print MyColumn = 5 }; search MyColumn == 5 | project ['$table'], MyColumn`,
			"$table:string,MyColumn:long\nV,5\n"},
	}
	for _, c := range cases {
		got, err := run(t, c.q, tables)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.q, got, c.want)
		}
	}
	if _, err := run(t, `search Nme == "bob"`, tables); err == nil || !strings.Contains(err.Error(), "Nme") {
		t.Errorf("misspelt column: got %v", err)
	}
}
