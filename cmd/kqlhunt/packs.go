package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/kqlhunt/kqlhunt/queries"
)

// PacksCmd lists the built-in hunting packs.
type PacksCmd struct {
	JSON bool     `name:"json" help:"Print JSON: packs with their hunts (id, name, severity, MITRE ids, tables, parameters, entities)."`
	Pack []string `arg:"" optional:"" placeholder:"PACK" help:"Only these packs (default: all)."`
}

type packJSON struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Playbook    string     `json:"playbook,omitempty"`
	Hunts       []huntJSON `json:"hunts"`
}

type huntJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Severity   string            `json:"severity"`
	Techniques []string          `json:"techniques"`
	Tactics    []string          `json:"tactics"`
	Tables     []string          `json:"tables"`
	Parameters []paramJSON       `json:"parameters"`
	Entities   map[string]string `json:"entities"`
	Tests      []string          `json:"tests"`
	File       string            `json:"file"`
}

type paramJSON struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Default     string `json:"default"`
	Description string `json:"description,omitempty"`
}

// Run prints the packs.
func (c *PacksCmd) Run(e *env) error {
	lib, err := queries.Embedded()
	if lib == nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	var packs []*queries.Pack
	for _, id := range c.Pack {
		p := lib.Pack(id)
		if p == nil {
			return &exitError{exitQuery, fmt.Sprintf("kqlhunt: no pack %s", id)}
		}
		packs = append(packs, p)
	}
	if len(c.Pack) == 0 {
		packs = lib.Packs
	}
	if c.JSON {
		out := []packJSON{}
		for _, p := range packs {
			pj := packJSON{ID: p.ID, Title: p.Title, Description: p.Description, Playbook: p.Playbook, Hunts: []huntJSON{}}
			for _, h := range p.Hunts {
				hj := huntJSON{ID: h.ID, Name: h.Name, Severity: h.Severity, Techniques: nonNil(h.Techniques), Tactics: nonNil(h.Tactics),
					Tables: nonNil(h.Tables), Parameters: []paramJSON{}, Entities: map[string]string{}, Tests: nonNil(h.Tests), File: h.File}
				for _, pr := range h.Parameters {
					hj.Parameters = append(hj.Parameters, paramJSON{pr.Name, pr.Type, pr.Default, pr.Description})
				}
				for _, en := range h.Entities {
					hj.Entities[en.Kind] = en.Column
				}
				pj.Hunts = append(pj.Hunts, hj)
			}
			out = append(out, pj)
		}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	for i, p := range packs {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		head := p.ID + " — " + p.Title
		if p.Playbook != "" {
			head += " (PLAYBOOK " + p.Playbook + ")"
		}
		fmt.Fprintln(e.stdout, head)
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, h := range p.Hunts {
			var ps []string
			for _, pr := range h.Parameters {
				ps = append(ps, fmt.Sprintf("%s:%s=%s", pr.Name, pr.Type, pr.Default))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", h.ID, h.Severity, dash(strings.Join(h.Techniques, ",")), dash(strings.Join(h.Tables, ",")), dash(strings.Join(ps, " ")))
		}
		tw.Flush()
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
