package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	// The REPL tests run this binary as kqlhunt under a pseudo-terminal.
	if os.Getenv("KQLHUNT_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
	}
	testscript.Main(m, map[string]func(){
		"kqlhunt": func() {
			os.Exit(run(os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
		},
	})
}

// TestScripts runs the CLI scripts in testdata/script. Scripts can reach the
// repository through $REPO and ../shared through $SHARED.
func TestScripts(t *testing.T) {
	wd, _ := os.Getwd()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") != "",
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPO", wd+"/../..")
			e.Setenv("SHARED", wd+"/../../../shared")
			return nil
		},
	})
}
