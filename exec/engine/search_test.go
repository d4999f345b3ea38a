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
	cases := []queryCase{
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
	runQueryCases(t, tables, cases)
	if _, err := run(t, `search Nme == "bob"`, tables); err == nil || !strings.Contains(err.Error(), "Nme") {
		t.Errorf("misspelt column: got %v", err)
	}
}

// find: the documented examples over EventsTable1/2 (project-smart with
// pack_, project lists with pack_all(), terms, typed missing columns).
func TestFind(t *testing.T) {
	tables := map[string]string{
		"EventsTable1": "Session_Id:string,Level:string,EventText:string,Version:string\n" +
			"acbd,Information,Some Text1,v1.0.0\nacbd,Error,Some Text2,v1.0.0\n28b8,Error,Some Text3,v1.0.1\n8f05,Information,Some Text4,v1.1.0\n",
		"EventsTable2": "Session_Id:string,Level:string,EventText:string,EventName:string\n" +
			"f7d5,Information,Some Other Text1,Event1\nacbd,Information,Some Other Text2,Event2\nacbd,Error,Some Other Text3,Event3\n15ea,Error,Some Other Text4,Event4\n",
		"Other": "X:long\n1\n",
	}
	cases := []queryCase{
		{`find in (EventsTable1, EventsTable2) where Session_Id == 'acbd' and Level == 'Error' project EventText, Version, EventName, pack_all()`,
			"source_:string,EventText:string,Version:string,EventName:string,pack_:dynamic\n" +
				`EventsTable1,Some Text2,v1.0.0,,{"Session_Id":"acbd","Level":"Error"}` + "\n" +
				`EventsTable2,Some Other Text3,,Event3,{"Session_Id":"acbd","Level":"Error"}` + "\n"},
		{`find Version == 'v1.0.0' or EventName == 'Event1' project Session_Id, EventText, Version, EventName`,
			"source_:string,Session_Id:string,EventText:string,Version:string,EventName:string\n" +
				"EventsTable1,acbd,Some Text1,v1.0.0,\nEventsTable1,acbd,Some Text2,v1.0.0,\nEventsTable2,f7d5,Some Other Text1,,Event1\n"},
		// project-smart: predicate columns, common columns, the rest in pack_;
		// Other has no Session_Id so it is left out
		{`find Session_Id == 'acbd' and Level == 'Error'`,
			"source_:string,Session_Id:string,Level:string,EventText:string,pack_:dynamic\n" +
				`EventsTable1,acbd,Error,Some Text2,{"Version":"v1.0.0"}` + "\n" +
				`EventsTable2,acbd,Error,Some Other Text3,{"EventName":"Event3"}` + "\n"},
		{`find withsource=T in (Event*) "Text4" project Session_Id, Missing:long`,
			"T:string,Session_Id:string,Missing:long\nEventsTable1,8f05,\nEventsTable2,15ea,\n"},
	}
	runQueryCases(t, tables, cases)
}
