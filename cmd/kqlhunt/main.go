// Command kqlhunt is a Kusto-compatible query engine and hunting-pack runner
// for Microsoft 365 and mail logs. Each subcommand lives in its own file;
// this file only wires them together.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"
)

// Exit codes (DESIGN.md §5).
const (
	exitOK       = 0
	exitQuery    = 1 // query or usage error
	exitData     = 2 // input data error
	exitFindings = 3 // findings present with --fail-on-findings
)

// exitError carries an exit code with an already-printed or printable message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// env is what every command gets: its streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// cli lists the subcommands. A command is hidden until it works end to end.
type cli struct {
	Parse     ParseCmd     `cmd:"" help:"Check that a query parses; print positioned syntax errors."`
	Fmt       FmtCmd       `cmd:"" help:"Print a query in canonical form."`
	Check     CheckCmd     `cmd:"" help:"Type-check a query against table schemas (built-in Defender and Sentinel tables, --schemas, --data) without reading data."`
	Query     QueryCmd     `cmd:"" help:"Run a query over data files and print the result."`
	Ingest    IngestCmd    `cmd:"" help:"Read data files into a Parquet store (partitioned by table and day) for fast repeated queries with --store."`
	Hunt      HuntCmd      `cmd:"" help:"Run hunting packs over data: findings as JSONL, CSV or an HTML report."`
	Packs     PacksCmd     `cmd:"" help:"List the hunting packs and their hunts: MITRE ids, tables needed, parameters."`
	Functions FunctionsCmd `cmd:"" help:"List the functions kqlhunt knows."`
	Plugins   PluginsCmd   `cmd:"" help:"List detector plugins, or show one's signature."`
	Test      TestCmd      `cmd:"" help:"Run golden tests (txtar: query, input tables, expected result)."`
	Repl      ReplCmd      `cmd:"" help:"Interactive KQL console with completion and history."`

	PluginServe PluginServeCmd `cmd:"" name:"plugin-serve" hidden:"" help:"Serve a built-in detector (run by kqlhunt itself)."`
}

func main() {
	os.Exit(run(os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

func run(args []string, e env) int {
	var c cli
	exited := false // kong "exits" after printing --help: do not run the command then
	parser, err := kong.New(&c,
		kong.Name("kqlhunt"),
		kong.Description("KQL threat hunting over Microsoft 365 and mail logs, on your own machine."),
		kong.Writers(e.stdout, e.stderr),
		kong.Exit(func(int) { exited = true }),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Bind(&e),
	)
	if err != nil {
		fmt.Fprintln(e.stderr, "kqlhunt:", err)
		return exitQuery
	}
	if len(args) == 0 {
		args = []string{"--help"}
	}
	if args[0] == "test" {
		// DESIGN.md spells the flag -update (the go test idiom).
		for i, a := range args {
			if a == "-update" {
				args[i] = "--update"
			}
		}
	}
	ctx, err := parser.Parse(args)
	if exited && err == nil {
		return exitOK
	}
	if err != nil {
		var pe *kong.ParseError
		if errors.As(err, &pe) {
			fmt.Fprintln(e.stderr, "kqlhunt:", err)
			return exitQuery
		}
		return exitOK // --help
	}
	if err := ctx.Run(&e); err != nil {
		var xe *exitError
		if errors.As(err, &xe) {
			if xe.msg != "" {
				fmt.Fprintln(e.stderr, xe.msg)
			}
			return xe.code
		}
		fmt.Fprintln(e.stderr, "kqlhunt:", err)
		return exitQuery
	}
	return exitOK
}
