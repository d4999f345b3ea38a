package queries_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/hunt"
	"github.com/kqlhunt/kqlhunt/plugins/detectors"
	"github.com/kqlhunt/kqlhunt/plugins/host"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
	"github.com/kqlhunt/kqlhunt/queries"
)

var update = flag.Bool("update", false, "rewrite the want sections of failing hunt tests")

const servePluginArg = "serve-plugin"

// TestMain lets this test binary serve the built-in detectors, so hunts
// that `evaluate` them are typed and run as under kqlhunt.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == servePluginArg {
		name := os.Args[2]
		d, ok := detectors.All()[name]
		if !ok {
			fmt.Fprintln(os.Stderr, "no detector", name)
			os.Exit(1)
		}
		sdk.Serve(d)
		os.Exit(0)
	}
	code := m.Run()
	if plugins != nil {
		plugins.Close() // removes its shared-memory directory
	}
	os.Exit(code)
}

var plugins *host.Host

func pluginHost(t *testing.T) *host.Host {
	if plugins != nil {
		return plugins
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	builtins := map[string]func() *exec.Cmd{}
	for _, name := range detectors.Names() {
		builtins[name] = func() *exec.Cmd {
			return exec.Command(self, servePluginArg, name)
		}
	}
	h, err := host.New(host.Options{Builtins: builtins})
	if err != nil {
		t.Fatal(err)
	}
	plugins = h
	return h
}

func library(t *testing.T) *queries.Library {
	t.Helper()
	lib, err := queries.LoadDir(".")
	if err != nil {
		t.Errorf("the library has defects:\n%v", err)
	}
	if lib == nil {
		t.FailNow()
	}
	return lib
}

// TestLibrary validates every hunt of the library: keys, ids, severities,
// parameters, entities against the query's output columns, the query
// type-checked against the table schemas (errors at the YAML file's
// lines), and that each hunt has a fires and a quiet test.
func TestLibrary(t *testing.T) {
	lib := library(t)
	env := queries.CheckEnv{Plugin: engine.PluginTyper(context.Background(), pluginHost(t))}
	var noTests []string
	for _, h := range lib.Hunts() {
		if _, probs := h.Validate(env); len(probs) > 0 {
			t.Errorf("%s:\n%v", h.ID, probs)
		}
		fires, quiet := false, false
		for _, tf := range h.Tests {
			kind := strings.TrimPrefix(path.Base(tf), path.Base(h.ID)+".")
			fires = fires || strings.HasPrefix(kind, "fires")
			quiet = quiet || strings.HasPrefix(kind, "quiet")
		}
		if !fires || !quiet {
			var miss []string
			if !fires {
				miss = append(miss, "testdata/"+path.Base(h.ID)+".fires.txtar")
			}
			if !quiet {
				miss = append(miss, "testdata/"+path.Base(h.ID)+".quiet.txtar")
			}
			noTests = append(noTests, fmt.Sprintf("%s: missing %s", h.File, strings.Join(miss, " and ")))
		}
	}
	if len(noTests) > 0 {
		t.Errorf("every hunt needs at least one fires and one quiet golden test:\n%s", strings.Join(noTests, "\n"))
	}
}

// TestHunts runs every hunt's golden tests (go test ./queries -update
// rewrites the want sections of failing ones).
func TestHunts(t *testing.T) {
	lib := library(t)
	ph := pluginHost(t)
	for _, h := range lib.Hunts() {
		for _, tf := range h.Tests {
			t.Run(h.ID+"/"+strings.TrimSuffix(path.Base(tf), ".txtar"), func(t *testing.T) {
				c, err := hunt.LoadTest(h, tf)
				if err != nil {
					t.Fatal(err)
				}
				o, err := hunt.RunTest(context.Background(), h, c, hunt.TestOptions{Plugins: ph})
				if err != nil {
					t.Fatal(err)
				}
				if o.Pass {
					return
				}
				if *update {
					if err := c.Update(o); err != nil {
						t.Fatal(err)
					}
					t.Logf("updated %s", c.Path)
					return
				}
				t.Errorf("%s:\n%s", c.Path, o.Diff)
			})
		}
	}
}

// TestPacksDoc keeps docs/packs.md equal to the library.
func TestPacksDoc(t *testing.T) {
	const file = "../docs/packs.md"
	lib := library(t)
	want := queries.CatalogMarkdown(lib)
	if os.Getenv("UPDATE_DOCS") != "" {
		if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("docs/packs.md is out of date with queries/; run UPDATE_DOCS=1 go test ./queries -run TestPacksDoc")
	}
}

// TestEmbedded checks that the binary's library is the one on disk.
func TestEmbedded(t *testing.T) {
	emb, err := queries.Embedded()
	if err != nil {
		t.Logf("embedded library problems (TestLibrary lists them): %v", err)
	}
	disk := library(t)
	if len(emb.Hunts()) != len(disk.Hunts()) {
		t.Errorf("embedded library has %d hunts, disk %d", len(emb.Hunts()), len(disk.Hunts()))
	}
	if emb.Pack("testdata") != nil {
		t.Errorf("the test fixture pack must not be part of the library")
	}
}
