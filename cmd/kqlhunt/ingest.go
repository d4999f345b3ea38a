package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/kqlhunt/kqlhunt/exec/store"
)

// IngestCmd reads data files into a store (exec/store).
type IngestCmd struct {
	Store  string     `name:"store" required:"" placeholder:"DIR" help:"The store directory (created if missing)."`
	Strict bool       `name:"strict" help:"Do not store a file with any row that cannot be loaded; exit 2 when one was found."`
	Input  string     `name:"input-format" placeholder:"FORMAT" help:"Read every file in FORMAT instead of detecting it."`
	Paths  []DataSpec `arg:"" name:"path" placeholder:"[NAME=]PATH" help:"Files, directories (read recursively; unsupported files skipped) or globs. NAME= names the table of generic files; export formats name their own tables."`
}

// Run ingests every file and prints a summary line per file.
func (c *IngestCmd) Run(e *env) error {
	st, err := store.Create(c.Store)
	if err != nil {
		return &exitError{exitData, "kqlhunt: " + err.Error()}
	}
	prog := newIngestProgress(e.stderr)
	defer prog.stop()
	ctx := context.Background()
	failed, problems := 0, 0
	for _, spec := range c.Paths {
		files, explicit, err := ingestFiles(spec.Path, st.Dir())
		if err != nil {
			prog.clear()
			fmt.Fprintf(e.stderr, "kqlhunt: %v\n", err)
			failed++
			continue
		}
		for _, f := range files {
			res, err := st.IngestFile(ctx, f, store.IngestOptions{
				Name:     spec.Name,
				Format:   c.Input,
				Strict:   c.Strict,
				Explicit: explicit,
				Progress: prog.update,
			})
			prog.clear()
			if err != nil {
				fmt.Fprintln(e.stderr, dataError(err).Error())
				failed++
				continue
			}
			problems += len(res.Problems)
			printIngest(e, res)
		}
	}
	prog.stop()
	m := st.Manifest()
	var rows int64
	parts := 0
	for _, t := range m.Tables {
		rows += t.Rows()
		parts += len(t.Partitions)
	}
	fmt.Fprintf(e.stdout, "store %s: %d table%s, %d rows, %d partition file%s, %d source file%s\n",
		st.Dir(), len(m.Tables), plural(len(m.Tables)), rows, parts, plural(parts), len(m.Sources), plural(len(m.Sources)))
	if failed > 0 || c.Strict && problems > 0 {
		return &exitError{exitData, ""}
	}
	return nil
}

func printIngest(e *env, r *store.FileResult) {
	switch {
	case r.Skipped:
		fmt.Fprintf(e.stdout, "%s: skipped: not a supported data file\n", r.Path)
		return
	case r.Duplicate:
		fmt.Fprintf(e.stdout, "%s: already in the store (sha256 %s), nothing added\n", r.Path, r.SHA256[:12])
		return
	}
	var tables []string
	for _, t := range r.Tables {
		tables = append(tables, fmt.Sprintf("%s %d in %d partition%s", t.Name, t.Rows, t.Partitions, plural(t.Partitions)))
	}
	if r.NotStored {
		fmt.Fprintf(e.stdout, "%s: not stored (--strict): %d problem%s\n", r.Path, len(r.Problems), plural(len(r.Problems)))
	} else {
		fmt.Fprintf(e.stdout, "%s: %d rows read, %d stored, %d rejected (%s)\n", r.Path, r.RowsRead, r.RowsStored, r.RowsRejected, strings.Join(tables, ", "))
	}
	if len(r.Problems) == 0 {
		return
	}
	fmt.Fprintf(e.stderr, "kqlhunt: %s: %d problem%s (rows rejected, or cells loaded as null):\n", r.Path, len(r.Problems), plural(len(r.Problems)))
	for i, p := range r.Problems {
		if i == maxProblemLines {
			fmt.Fprintf(e.stderr, "  ... and %d more\n", len(r.Problems)-maxProblemLines)
			break
		}
		fmt.Fprintf(e.stderr, "  %s\n", problemText(p))
	}
}

// ingestFiles expands a path: a file (explicit: an unsupported format is
// an error), a glob, or a directory read recursively without hidden
// entries and without the store itself.
func ingestFiles(path, storeDir string) (files []string, explicit bool, err error) {
	if strings.ContainsAny(path, "*?[") {
		if _, serr := os.Stat(path); serr != nil {
			m, gerr := filepath.Glob(path)
			if gerr != nil {
				return nil, false, fmt.Errorf("%s: bad glob pattern: %v", path, gerr)
			}
			for _, f := range m {
				if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
					files = append(files, f)
				}
			}
			if len(files) == 0 {
				return nil, false, fmt.Errorf("%s: no files match", path)
			}
			sort.Strings(files)
			return files, false, nil
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	if !st.IsDir() {
		return []string{path}, true, nil
	}
	storeAbs, _ := filepath.Abs(storeDir)
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if abs, _ := filepath.Abs(p); abs == storeAbs {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if len(files) == 0 {
		return nil, false, fmt.Errorf("%s: directory has no files", path)
	}
	return files, false, nil
}

// ingestProgress draws a progress bar on stderr when it is a terminal and
// the job has run for more than a second; otherwise it draws nothing.
type ingestProgress struct {
	w       io.Writer
	enabled bool
	start   time.Time

	mu      sync.Mutex
	last    store.Progress
	has     bool
	bar     *progressbar.ProgressBar
	key     string
	done    chan struct{}
	stopped bool
}

func newIngestProgress(w io.Writer) *ingestProgress {
	p := &ingestProgress{w: w, start: time.Now(), done: make(chan struct{})}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.enabled = true
		go p.loop()
	}
	return p
}

func (p *ingestProgress) update(pr store.Progress) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	p.last, p.has = pr, true
	p.mu.Unlock()
}

func (p *ingestProgress) loop() {
	t := time.NewTicker(150 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			p.render()
		}
	}
}

func (p *ingestProgress) render() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.has || time.Since(p.start) < time.Second {
		return
	}
	pr := p.last
	key := pr.Path + "\x00" + pr.Stage
	if p.bar == nil || p.key != key {
		p.dropBar()
		opts := []progressbar.Option{
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(pr.Stage + " " + filepath.Base(pr.Path)),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100 * time.Millisecond),
			progressbar.OptionClearOnFinish(),
		}
		total := pr.Total
		switch {
		case total <= 0:
			total = -1 // a spinner: the readers do not report progress while checking rows
		case pr.Stage == "hashing":
			opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionShowCount())
		default:
			opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionSetItsString("rows"), progressbar.OptionShowIts())
		}
		p.bar = progressbar.NewOptions64(total, opts...)
		p.key = key
	}
	if pr.Done >= 0 {
		p.bar.Set64(pr.Done)
	} else {
		p.bar.Add(1) // starts the spinner
	}
}

// dropBar stops and erases the current bar (p.mu held).
func (p *ingestProgress) dropBar() {
	if p.bar != nil {
		p.bar.Finish() // also ends the spinner's own rendering goroutine
		p.bar.Clear()
		p.bar = nil
	}
}

// clear removes the bar (before printing a summary line).
func (p *ingestProgress) clear() {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropBar()
	p.has = false
}

func (p *ingestProgress) stop() {
	if !p.enabled {
		return
	}
	p.clear()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopped {
		close(p.done)
		p.stopped = true
	}
}
