package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// watchlistTyper reads the header of every --watchlist NAME=FILE and
// returns the checker's typing of _GetWatchlist(alias) (nil when there are
// none). Watchlist aliases compare case-insensitively, as in Sentinel.
func (d *DataFlags) watchlistTyper() (func(string) (*types.Schema, bool), error) {
	if len(d.Watchlist) == 0 {
		return nil, nil
	}
	lists := map[string]*types.Schema{}
	for _, w := range d.Watchlist {
		if w.Name == "" {
			return nil, &exitError{exitData, "kqlhunt: --watchlist needs NAME=FILE, got " + w.Path}
		}
		cols, err := csvHeader(w.Path)
		if err != nil {
			return nil, &exitError{exitData, fmt.Sprintf("kqlhunt: --watchlist %s: %v", w.Name, err)}
		}
		var kc []types.Column
		for _, c := range cols {
			kc = append(kc, types.Column{Name: c, Type: types.String})
		}
		lists[strings.ToLower(w.Name)] = check.WatchlistSchema(kc)
	}
	return func(alias string) (*types.Schema, bool) {
		s, ok := lists[strings.ToLower(alias)]
		return s, ok
	}, nil
}

func csvHeader(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the CSV header: %w", err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	return head, nil
}

// logAnalyticsStandard are the standard columns every Azure Monitor Logs
// (Sentinel) table has, hidden from the per-table reference pages
// ("Standard columns in Azure Monitor Logs").
var logAnalyticsStandard = []types.Column{
	{Name: "TenantId", Type: types.String},
	{Name: "TimeGenerated", Type: types.DateTime},
	{Name: "_TimeReceived", Type: types.DateTime},
	{Name: "Type", Type: types.String},
	{Name: "_ItemId", Type: types.String},
	{Name: "_ResourceId", Type: types.String},
	{Name: "_SubscriptionId", Type: types.String},
	{Name: "_IsBillable", Type: types.String},
	{Name: "_BilledSize", Type: types.Real},
}

// standardColumns is a catalog that adds the Log Analytics standard
// columns to the schemas of Sentinel tables (not Defender XDR tables,
// which do not have them), for checking against the service's schemas.
type standardColumns struct{ check.Catalog }

func (s standardColumns) Table(name string) (*types.Schema, bool) {
	t, ok := s.Catalog.Table(name)
	if !ok || schemas.IsDefenderTable(name) || t.Open {
		return t, ok
	}
	out := &types.Schema{Columns: append([]types.Column(nil), t.Columns...)}
	for _, c := range logAnalyticsStandard {
		if out.Index(c.Name) < 0 {
			out.Columns = append(out.Columns, c)
		}
	}
	return out, true
}
