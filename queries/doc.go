package queries

import (
	"fmt"
	"strings"
)

// CatalogMarkdown renders the library as docs/packs.md.
func CatalogMarkdown(lib *Library) string {
	var b strings.Builder
	b.WriteString("# Hunting packs\n\n")
	b.WriteString("Generated from `queries/*/pack.yaml` and the hunt files by\n")
	b.WriteString("`UPDATE_DOCS=1 go test ./queries -run TestPacksDoc`; do not edit by hand.\n")
	b.WriteString("Run a pack with `kqlhunt hunt --pack ID --data DIR`, one hunt with `--pack PACK/HUNT`,\n")
	b.WriteString("everything with `--pack all` (see [hunt.md](hunt.md)); list them with `kqlhunt packs`.\n\n")
	hunts := 0
	for _, p := range lib.Packs {
		hunts += len(p.Hunts)
	}
	fmt.Fprintf(&b, "%d packs, %d hunts.\n\n", len(lib.Packs), hunts)
	b.WriteString("| pack | playbook | hunts | title |\n|---|---|---|---|\n")
	for _, p := range lib.Packs {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %d | %s |\n", p.ID, anchor(p.ID), cell(p.Playbook), len(p.Hunts), cell(p.Title))
	}
	b.WriteString("\n")
	for _, p := range lib.Packs {
		fmt.Fprintf(&b, "## %s\n\n", p.ID)
		fmt.Fprintf(&b, "**%s**", p.Title)
		if p.Playbook != "" {
			fmt.Fprintf(&b, " (PLAYBOOK.md %s)", p.Playbook)
		}
		b.WriteString("\n\n")
		if p.Description != "" {
			b.WriteString(p.Description)
			b.WriteString("\n\n")
		}
		if len(p.Hunts) == 0 {
			b.WriteString("No hunts yet.\n\n")
			continue
		}
		b.WriteString("| hunt | severity | MITRE | tables |\n|---|---|---|---|\n")
		for _, h := range p.Hunts {
			fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", h.ID, anchor(h.ID), h.Severity, strings.Join(h.Techniques, ", "), strings.Join(h.Tables, ", "))
		}
		b.WriteString("\n")
		for _, h := range p.Hunts {
			fmt.Fprintf(&b, "### %s\n\n", h.ID)
			fmt.Fprintf(&b, "**%s** — severity `%s`", h.Name, h.Severity)
			if len(h.Techniques) > 0 {
				fmt.Fprintf(&b, "; MITRE %s", strings.Join(h.Techniques, ", "))
			}
			if len(h.Tactics) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(h.Tactics, ", "))
			}
			b.WriteString(".\n")
			fmt.Fprintf(&b, "Needs %s. File: `%s`.\n\n", strings.Join(h.Tables, " or "), h.File)
			if h.Description != "" {
				b.WriteString(h.Description)
				b.WriteString("\n\n")
			}
			if len(h.Parameters) > 0 {
				b.WriteString("| parameter | type | default | description |\n|---|---|---|---|\n")
				for _, pr := range h.Parameters {
					fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", pr.Name, pr.Type, cell(pr.Default), cell(pr.Description))
				}
				b.WriteString("\n")
			}
			if len(h.Entities) > 0 {
				var es []string
				for _, e := range h.Entities {
					es = append(es, fmt.Sprintf("%s = `%s`", e.Kind, e.Column))
				}
				fmt.Fprintf(&b, "Entities: %s.\n\n", strings.Join(es, ", "))
			}
			if len(h.Tests) > 0 {
				var ts []string
				for _, t := range h.Tests {
					ts = append(ts, "`"+strings.TrimPrefix(t, "testdata/")+"`")
				}
				fmt.Fprintf(&b, "Tests: %s.\n\n", strings.Join(ts, ", "))
			}
		}
	}
	return b.String()
}

func cell(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// anchor is the GitHub heading anchor of an id.
func anchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
