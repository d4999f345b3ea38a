//go:build linux || darwin

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// console drives `kqlhunt repl` in a pseudo-terminal, expect-style.
type console struct {
	t    *testing.T
	f    *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	seen int
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

func startConsole(t *testing.T, args ...string) *console {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"repl"}, args...)...)
	cmd.Env = append(os.Environ(), "KQLHUNT_AS_MAIN=1", "XDG_STATE_HOME="+t.TempDir(), "TERM=dumb")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	c := &console{t: t, f: f, cmd: cmd}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			c.mu.Lock()
			c.out.Write(buf[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	})
	c.expect("kql> ")
	return c
}

func (c *console) send(s string) {
	c.t.Helper()
	if _, err := c.f.WriteString(s); err != nil {
		c.t.Fatal(err)
	}
}

// expect waits until the screen output after the last match contains want.
func (c *console) expect(want string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		text := ansi.ReplaceAllString(c.out.String(), "")
		c.mu.Unlock()
		if i := strings.Index(text[min(c.seen, len(text)):], want); i >= 0 {
			got := text[c.seen : c.seen+i+len(want)]
			c.seen += i + len(want)
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Fatalf("did not see %q; screen so far:\n%s", want, ansi.ReplaceAllString(c.out.String(), ""))
	return ""
}

func sampleData(t *testing.T) string {
	dir := t.TempDir()
	data := "Timestamp:datetime,ActionType:string,ISP:string\n" +
		"2024-02-27T10:00:00Z,New-InboxRule,Frantech\n2024-02-27T11:00:00Z,MailItemsAccessed,Contoso\n2024-02-28T11:00:00Z,New-InboxRule,Contoso\n"
	if err := os.WriteFile(filepath.Join(dir, "CloudAppEvents.csv"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "CloudAppEvents.csv")
}

func TestReplMultiLineAndCompletion(t *testing.T) {
	c := startConsole(t, "--data", sampleData(t))
	// A query spread over lines: a trailing | continues it, a blank line runs it.
	c.send("CloudAppEvents |\r")
	c.expect("...> ")
	c.send("where ActionType == \"New-InboxRule\"\r")
	c.send("| summarize n = count() by ISP | sort by ISP asc\r")
	c.send("\r")
	c.expect("Contoso")
	c.expect("Frantech")
	c.expect("(2 rows)")
	// Tab completes a column of the pipeline.
	c.send("CloudAppEvents | where Acti\t")
	c.expect("ActionType")
	c.send(" == \"MailItemsAccessed\" | count;;\r")
	c.expect("(1 row)")
	c.send(".quit\r")
}

func TestReplErrorHistoryAndCancel(t *testing.T) {
	c := startConsole(t, "--data", sampleData(t))
	// An error shows the line with a caret, and the prompt comes back.
	c.send("CloudAppEvents | where ActionTyp == 1;;\r")
	c.expect("query:1:24: unknown column ActionTyp")
	c.expect("^")
	c.expect("did you mean ActionType?")
	c.expect("kql> ")
	// History: the up arrow recalls the last query; edit and run it.
	c.send("CloudAppEvents | count;;\r")
	c.expect("(1 row)")
	c.send("\x1b[A")
	c.expect("CloudAppEvents | count")
	c.send("\r\r")
	c.expect("(1 row)")
	// Ctrl-C cancels a long query and the console stays.
	c.send("range x from 1 to 2000000000 step 1 | summarize count();;\r")
	time.Sleep(500 * time.Millisecond)
	c.send("\x03")
	c.expect("cancelled")
	c.send("print ok = 1;;\r")
	c.expect("(1 row)")
	c.send("\x04") // Ctrl-D leaves
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("repl exited with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ctrl-D did not end the REPL")
	}
}

func TestReplScript(t *testing.T) {
	data := sampleData(t)
	var out, errb bytes.Buffer
	script := ".load Events=" + data + "\nEvents\n| where ISP == \"Contoso\"\n| count\n\n.format csv\nEvents | summarize max(Timestamp);;\n"
	code := run([]string{"repl"}, env{stdin: strings.NewReader(script), stdout: &out, stderr: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want := "Count\n-----\n    2\n(1 row)\nmax_Timestamp\n2024-02-28T11:00:00.0000000Z\n"
	if got := strings.SplitN(out.String(), "\n", 2)[1]; got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	// A failing statement stops the script with exit 1.
	out.Reset()
	errb.Reset()
	code = run([]string{"repl"}, env{stdin: strings.NewReader("print x = nope\n\nprint 2\n"), stdout: &out, stderr: &errb})
	if code != 1 || !strings.Contains(errb.String(), "nope") || strings.Contains(out.String(), "2") {
		t.Fatalf("exit %d, out %q, err %q", code, out.String(), errb.String())
	}
}

func TestCallSignature(t *testing.T) {
	cases := map[string]string{
		"T | where strlen(":            "strlen(",
		"T | where strlen(Name) > 1 ":  "",
		"T | extend x = substring(a, ": "substring(",
		"T | where f(\"(\"":            "",
		"T | where (a":                 "",
	}
	for text, want := range cases {
		got := callSignature(text)
		if want == "" && got != "" || want != "" && !strings.HasPrefix(got, want) {
			t.Errorf("callSignature(%q) = %q, want prefix %q", text, got, want)
		}
	}
}

func TestSpinner(t *testing.T) {
	var buf safeBuffer
	stop := spinner(&buf, time.Now(), 0)
	time.Sleep(350 * time.Millisecond)
	stop()
	out := buf.String()
	if !strings.Contains(out, "running") || !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("spinner output %q: want frames then an erase", out)
	}
	var quiet safeBuffer
	stop = spinner(&quiet, time.Now(), time.Hour)
	time.Sleep(250 * time.Millisecond)
	stop()
	if quiet.String() != "" {
		t.Errorf("spinner drew before its delay: %q", quiet.String())
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestReplHuntsAndChart(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "isp.svg")
	script := ".packs\n.packs inbox-rules\n.format csv\n" +
		".run inbox-rules/suspicious-rule-actions\n" +
		".run inbox-rules/no-such-hunt\n"
	var out, errb bytes.Buffer
	code := run([]string{"repl", "--data", "../../testdata/sample"}, env{stdin: strings.NewReader(script), stdout: &out, stderr: &errb})
	// the unknown hunt fails the script (exit 1) after the others ran
	if code != 1 || !strings.Contains(errb.String(), `no hunt "inbox-rules/no-such-hunt"; did you mean`) {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	for _, want := range []string{"inbox-rules", "thread-hijack", "inbox-rules/external-forwarding", "185.220.101.47", "now() = 2024-02-29"} {
		if !strings.Contains(out.String()+errb.String(), want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, out.String(), errb.String())
		}
	}
	out.Reset()
	errb.Reset()
	script = "CloudAppEvents | summarize n = count() by bin(Timestamp, 1d), ISP | render timechart;;\n.chart " + svg + "\n.chart nope.txt\n"
	code = run([]string{"repl", "--data", "../../testdata/sample"}, env{stdin: strings.NewReader(script), stdout: &out, stderr: &errb})
	if code != 1 || !strings.Contains(errb.String(), "use a .svg, .png or .html file") {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "wrote timechart chart to") {
		t.Errorf("no .chart confirmation:\n%s", out.String())
	}
	b, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Fatalf(".chart wrote %d bytes (%v), want an SVG", len(b), err)
	}
}

func TestReplCompletesHuntIDs(t *testing.T) {
	c := startConsole(t, "--data", sampleData(t))
	c.send(".run inbox-rules/suspicious-ru\t")
	c.expect("inbox-rules/suspicious-rule-actions")
	c.send("\x15") // clear the line
	c.send("print strlen(\t")
	c.expect("strlen(source:string")
	c.send("\x03")
}
