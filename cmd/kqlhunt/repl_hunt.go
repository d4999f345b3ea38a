package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kqlhunt/kqlhunt/exec/chart"
	"github.com/kqlhunt/kqlhunt/exec/hunt"
	"github.com/kqlhunt/kqlhunt/queries"
)

// library is the embedded hunt library (loaded once per session).
func (r *repl) library() (*queries.Library, error) {
	if r.lib == nil {
		lib, err := queries.Embedded()
		if err != nil {
			return nil, err
		}
		r.lib = lib
	}
	return r.lib, nil
}

// packs lists the packs, or the hunts of the packs named.
func (r *repl) packs(args []string) {
	lib, err := r.library()
	if err != nil {
		r.errorf("%v", err)
		return
	}
	tw := tabwriter.NewWriter(r.e.stdout, 0, 0, 2, ' ', 0)
	defer tw.Flush()
	if len(args) == 0 {
		fmt.Fprintln(tw, "PACK\tHUNTS\tTITLE")
		for _, p := range lib.Packs {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", p.ID, len(p.Hunts), p.Title)
		}
		fmt.Fprintln(tw, "(.packs PACK lists its hunts; .run PACK/HUNT runs one)")
		return
	}
	for _, id := range args {
		p := lib.Pack(id)
		if p == nil {
			r.errorf("no pack %q (.packs lists them)", id)
			return
		}
		fmt.Fprintln(tw, "HUNT\tSEVERITY\tMITRE\tTABLES\tPARAMETERS")
		for _, h := range p.Hunts {
			var ps []string
			for _, pm := range h.Parameters {
				ps = append(ps, pm.Name)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", h.ID, h.Severity, strings.Join(h.Techniques, ","), strings.Join(h.Tables, ","), strings.Join(ps, ","))
		}
	}
}

// runHunt runs one hunt of the library with k=v parameters; its result
// becomes the last result (.save, .chart work on it).
func (r *repl) runHunt(args []string) {
	if len(args) == 0 {
		r.errorf(".run PACK/HUNT [name=value ...] (.packs lists the hunts)")
		return
	}
	lib, err := r.library()
	if err != nil {
		r.errorf("%v", err)
		return
	}
	h := lib.Hunt(args[0])
	if h == nil {
		r.errorf("no hunt %q%s", args[0], suggestHunt(lib, args[0]))
		return
	}
	values := map[string]string{}
	for _, a := range args[1:] {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			r.errorf(".run: %q is not name=value", a)
			return
		}
		known := false
		for _, p := range h.Parameters {
			known = known || p.Name == k
		}
		if !known {
			var names []string
			for _, p := range h.Parameters {
				names = append(names, p.Name)
			}
			r.errorf(".run: %s has no parameter %q (it has: %s)", h.ID, k, strings.Join(names, ", "))
			return
		}
		values[k] = v
	}
	now := r.now
	if now.IsZero() {
		now = r.latestEvent()
		if !now.IsZero() {
			fmt.Fprintf(r.e.stderr, "now() = %s (latest event in the data; .set now changes it)\n", now.Format(time.RFC3339))
		}
	}
	src, _, err := h.Source(queries.Bind{Values: values, Now: now})
	if err != nil {
		r.errorf("%v", err)
		return
	}
	saved := r.now
	r.now = now
	defer func() { r.now = saved }()
	r.runSource(src)
}

// latestEvent is the latest event time over the bound tables (zero when
// none has a time column).
func (r *repl) latestEvent() time.Time {
	inv, err := hunt.Inventory(context.Background(), r.cat, r.cat.Names())
	if err != nil {
		return time.Time{}
	}
	t, _, _ := hunt.LatestEvent(inv)
	return t
}

// suggestHunt proposes hunt ids that contain the name typed.
func suggestHunt(lib *queries.Library, id string) string {
	var near []string
	low := strings.ToLower(id)
	for _, h := range lib.Hunts() {
		if strings.Contains(strings.ToLower(h.ID), low) {
			near = append(near, h.ID)
		}
	}
	if pack, _, ok := strings.Cut(id, "/"); ok && len(near) == 0 {
		if p := lib.Pack(pack); p != nil {
			for _, h := range p.Hunts {
				near = append(near, h.ID)
			}
		}
	}
	sort.Strings(near)
	if len(near) == 0 {
		return " (.packs lists the packs and their hunts)"
	}
	if len(near) > 5 {
		near = near[:5]
	}
	return "; did you mean " + strings.Join(near, ", ") + "?"
}

// chart writes the chart of the last render query to a file.
func (r *repl) chart(args []string) {
	if len(args) != 1 {
		r.errorf(".chart FILE writes the last render query's chart (.svg, .png or .html)")
		return
	}
	if r.last == nil || r.lastRender == nil {
		r.errorf(".chart: the last query did not end with render")
		return
	}
	format := chart.FormatOf(args[0])
	if format == "" {
		r.errorf(".chart %s: use a .svg, .png or .html file", args[0])
		return
	}
	ch, err := chart.Build(r.lastRender, r.last.Schema, r.last.Records)
	if err != nil {
		r.errorf("%v", err)
		return
	}
	var buf bytes.Buffer
	if err := chart.Write(&buf, ch, format); err != nil {
		r.errorf("%v", err)
		return
	}
	if err := os.WriteFile(args[0], buf.Bytes(), 0o644); err != nil {
		r.errorf("%v", err)
		return
	}
	fmt.Fprintf(r.e.stdout, "wrote %s chart to %s\n", r.lastRender.Kind, args[0])
}
