package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/kqlhunt/kqlhunt/plugins/detectors"
	"github.com/kqlhunt/kqlhunt/plugins/host"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

// PluginFlags are the flags of every command that can run plugins.
type PluginFlags struct {
	Plugins []string `name:"plugins" help:"Directory of detector plugins (also $KQLHUNT_PLUGINS); each needs a SHA256SUMS manifest." placeholder:"DIR"`
}

// newPluginHost discovers plugins: the built-in detectors (kqlhunt re-run in
// plugin mode) and those in --plugins / $KQLHUNT_PLUGINS directories.
func newPluginHost(f PluginFlags, log io.Writer) (*host.Host, error) {
	self, err := selfPath()
	if err != nil {
		return nil, err
	}
	builtins := map[string]func() *exec.Cmd{}
	for _, name := range detectors.Names() {
		builtins[name] = func() *exec.Cmd { return exec.Command(self, "plugin-serve", name) }
	}
	return host.New(host.Options{Dirs: append(append([]string{}, f.Plugins...), host.DirsFromEnv()...), Builtins: builtins, Log: log})
}

// selfPath is the path of the running kqlhunt executable, as invoked (so a
// copy or link named kqlhunt runs as kqlhunt).
func selfPath() (string, error) {
	arg0 := os.Args[0]
	if !strings.ContainsRune(arg0, filepath.Separator) {
		if p, err := exec.LookPath(arg0); err == nil {
			return filepath.Abs(p)
		}
	} else if p, err := filepath.Abs(arg0); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return os.Executable()
}

// PluginServeCmd runs a built-in detector as a plugin process (used by the host, not by people).
type PluginServeCmd struct {
	Name string `arg:"" help:"Built-in detector to serve."`
}

// Run serves the detector until the host disconnects.
func (c *PluginServeCmd) Run(e *env) error {
	d, ok := detectors.All()[c.Name]
	if !ok {
		return &exitError{exitQuery, fmt.Sprintf("kqlhunt: no built-in detector %s (have %s)", c.Name, strings.Join(detectors.Names(), ", "))}
	}
	sdk.Serve(d)
	return nil
}

// PluginsCmd lists plugins and shows their signatures.
type PluginsCmd struct {
	List PluginsListCmd `cmd:"" default:"withargs" help:"One line per plugin: name, version, built-in or path."`
	Info PluginsInfoCmd `cmd:"" help:"A plugin's signature, description and output columns."`
}

// PluginsListCmd is `kqlhunt plugins list`.
type PluginsListCmd struct {
	PluginFlags
}

// Run lists the plugins, starting each to ask its version.
func (c *PluginsListCmd) Run(e *env) error {
	h, err := newPluginHost(c.PluginFlags, e.stderr)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	defer h.Close()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tWHERE")
	for _, p := range h.Plugins() {
		where := p.Path
		if p.Builtin {
			where = "built-in"
		}
		version := "?"
		if d, err := h.Describe(context.Background(), p.Name); err == nil {
			version = d.Version
		} else {
			version = "unavailable: " + err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, version, where)
	}
	return tw.Flush()
}

// PluginsInfoCmd is `kqlhunt plugins info NAME`.
type PluginsInfoCmd struct {
	PluginFlags
	Name string `arg:"" help:"Plugin name."`
}

// Run prints the plugin's signature.
func (c *PluginsInfoCmd) Run(e *env) error {
	h, err := newPluginHost(c.PluginFlags, e.stderr)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	defer h.Close()
	d, err := h.Describe(context.Background(), c.Name)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	var params []string
	for _, p := range d.Params {
		s := p.Name + ":" + p.Type
		if p.Optional {
			if p.Default != "" {
				s += "=" + p.Default
			}
			s = "[" + s + "]"
		}
		params = append(params, s)
	}
	fmt.Fprintf(e.stdout, "%s %s\n  evaluate %s(%s)\n  %s\n", d.Name, d.Version, d.Name, strings.Join(params, ", "), d.Description)
	fmt.Fprintln(e.stdout, "arguments:")
	for _, p := range d.Params {
		fmt.Fprintf(e.stdout, "  %-18s %-16s %s\n", p.Name, p.Type, p.Description)
	}
	fmt.Fprintln(e.stdout, "output:")
	if d.KeepInput {
		fmt.Fprintln(e.stdout, "  the input columns, then:")
	}
	for _, col := range d.Columns {
		name, typ := col.Name, col.Type
		if strings.HasPrefix(name, "$") {
			name, typ = "<"+name[1:]+" column>", "(its type)"
		}
		fmt.Fprintf(e.stdout, "  %-18s %s\n", name, typ)
	}
	return nil
}
