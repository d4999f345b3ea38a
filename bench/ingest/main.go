// Command ingest measures the store: it generates a Unified Audit Log CSV
// export (Purview layout) of a given size deterministically, ingests it
// into a fresh store and reports MB/s and rows/s, then runs the same
// queries over the raw file (--data) and over the store (--store).
//
//	cd bench && go run ./ingest -size 1GB -dir /tmp/kqlbench
//
// Generated data stays in -dir (never in the repository); -keep keeps it
// between runs (the CSV is regenerated only when missing).
//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/source"
	_ "github.com/kqlhunt/kqlhunt/exec/source/m365"
	"github.com/kqlhunt/kqlhunt/exec/store"
	"github.com/kqlhunt/kqlhunt/lang"
)

// The generated export covers 90 days ending here, newest first (as the
// Purview audit search exports them).
var end = time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)

const days = 90

var queries = []struct{ name, q string }{
	{"last 7 days by action (pruned)", `CloudAppEvents | where Timestamp > ago(7d) | summarize n=count() by ActionType | sort by ActionType asc`},
	{"inbox rules, one month (pruned)", `CloudAppEvents | where Timestamp between (datetime(2024-02-01) .. datetime(2024-03-01)) | where ActionType in ("New-InboxRule", "Set-InboxRule") | extend RuleConfig = RawEventData.Parameters | project Timestamp, AccountDisplayName, IPAddress, RuleConfig | count`},
	{"all rows by operation (full scan)", `OfficeActivity | summarize n=count() by Operation, OfficeWorkload | sort by Operation asc`},
	{"logons by user and IP (full scan)", `OfficeActivity | where Operation == "UserLoggedIn" | summarize n=count() by UserId, ClientIP | count`},
}

func main() {
	size := flag.String("size", "1GB", "size of the generated UAL CSV (e.g. 1GB, 100MB)")
	dir := flag.String("dir", "/tmp/kqlhunt-bench", "working directory for the CSV and the store")
	keep := flag.Bool("keep", false, "reuse the CSV if present")
	skipRaw := flag.Bool("skip-raw", false, "do not run the queries over the raw file")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of the ingest to this file")
	flag.Parse()
	n, err := parseSize(*size)
	if err != nil {
		fatal(err)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fatal(err)
	}
	csv := filepath.Join(*dir, "ual-export.csv")
	if st, err := os.Stat(csv); !*keep || err != nil || st.Size() < n {
		t0 := time.Now()
		rows, err := generate(csv, n)
		if err != nil {
			fatal(err)
		}
		fmt.Printf("generated %s: %d records in %s\n", csv, rows, since(t0))
	}
	st, _ := os.Stat(csv)
	mb := float64(st.Size()) / 1e6
	fmt.Printf("machine: %d CPUs, GOMAXPROCS %d, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadavg())

	sdir := filepath.Join(*dir, "store")
	os.RemoveAll(sdir)
	s, err := store.Create(sdir)
	if err != nil {
		fatal(err)
	}
	if *cpuprof != "" {
		pf, err := os.Create(*cpuprof)
		if err != nil {
			fatal(err)
		}
		pprof.StartCPUProfile(pf)
	}
	t0 := time.Now()
	c0 := cpuTime()
	res, err := s.IngestFile(context.Background(), csv, store.IngestOptions{Explicit: true})
	if err != nil {
		fatal(err)
	}
	if *cpuprof != "" {
		pprof.StopCPUProfile()
	}
	wall := time.Since(t0).Seconds()
	cpu := cpuTime() - c0
	storeBytes := dirSize(sdir)
	fmt.Printf("ingest: %.0f MB, %d records (%d rows stored in %d tables, %d rejected) in %.1f s wall, %.1f s CPU\n",
		mb, res.RowsRead, res.RowsStored, len(res.Tables), res.RowsRejected, wall, cpu)
	fmt.Printf("ingest: %.1f MB/s, %.0f records/s (%.0f stored rows/s); store size %.0f MB (%.1f%% of the CSV)\n",
		mb/wall, float64(res.RowsRead)/wall, float64(res.RowsStored)/wall, float64(storeBytes)/1e6, 100*float64(storeBytes)/float64(st.Size()))
	for _, t := range res.Tables {
		fmt.Printf("  %s: %d rows in %d partitions\n", t.Name, t.Rows, t.Partitions)
	}
	t0 = time.Now()
	res2, err := s.IngestFile(context.Background(), csv, store.IngestOptions{Explicit: true})
	if err != nil || !res2.Duplicate {
		fatal(fmt.Errorf("re-ingest: %v %+v", err, res2))
	}
	fmt.Printf("re-ingest of the same file: nothing added (content hash) in %s\n", since(t0))

	now := end
	fmt.Printf("\n%-36s %12s %12s %9s  %s\n", "query (now() = "+now.Format("2006-01-02")+")", "raw --data", "--store", "speed-up", "store partitions/row groups read")
	for _, q := range queries {
		var rawT float64
		var rawOut string
		if !*skipRaw {
			t0 := time.Now()
			cat := catalog.New()
			if err := source.Bind(cat, []source.Binding{{Path: csv}}, source.Options{}); err != nil {
				fatal(err)
			}
			rawOut = run(cat, q.q, now)
			rawT = time.Since(t0).Seconds()
		}
		t0 := time.Now()
		s2, err := store.Open(sdir)
		if err != nil {
			fatal(err)
		}
		cat := catalog.New()
		s2.Bind(cat, nil)
		out := run(cat, q.q, now)
		stT := time.Since(t0).Seconds()
		if !*skipRaw && out != rawOut {
			fatal(fmt.Errorf("%s: store result differs from raw:\n%s\nvs\n%s", q.name, out, rawOut))
		}
		stats := s2.Stats()
		speed := "-"
		if rawT > 0 {
			speed = fmt.Sprintf("%.0fx", rawT/stT)
		}
		fmt.Printf("%-36s %11.2fs %11.2fs %9s  %d/%d files, %d/%d row groups\n", q.name, rawT, stT, speed,
			stats.PartitionsOpened, stats.PartitionsOpened+stats.PartitionsPruned, stats.RowGroupsRead, stats.RowGroupsRead+stats.RowGroupsPruned)
	}
}

func run(cat *catalog.Catalog, q string, now time.Time) string {
	res, err := engine.Run(context.Background(), lang.NewSource("q", q), engine.Options{Catalog: cat, Now: now})
	if err != nil {
		fatal(err)
	}
	defer res.Release()
	var b strings.Builder
	for _, rec := range res.Records {
		for r := 0; r < int(rec.NumRows()); r++ {
			for c := 0; c < int(rec.NumCols()); c++ {
				if c > 0 {
					b.WriteByte(',')
				}
				b.WriteString(rec.Column(c).ValueStr(r))
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// kind is one kind of generated audit record.
type kind struct {
	weight     int
	recordType string // the CSV's RecordType column
	typeNum    int    // AuditData.RecordType
	operation  string
	workload   string
}

var kinds = []kind{
	{40, "AzureActiveDirectoryStsLogon", 15, "UserLoggedIn", "AzureActiveDirectory"},
	{30, "ExchangeItemAggregated", 50, "MailItemsAccessed", "Exchange"},
	{12, "SharePointFileOperation", 6, "FileAccessed", "SharePoint"},
	{8, "ExchangeItem", 2, "Send", "Exchange"},
	{5, "SharePointFileOperation", 6, "FileDownloaded", "OneDrive"},
	{2, "ExchangeAdmin", 1, "New-InboxRule", "Exchange"},
	{1, "ExchangeAdmin", 1, "Set-InboxRule", "Exchange"},
	{2, "AzureActiveDirectory", 8, "Add member to role.", "AzureActiveDirectory"},
}

var agents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.0.0",
	"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17231; Pro)",
	"python-requests/2.31.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
}

// generate writes a Purview audit-search CSV of at least size bytes and
// returns the number of records. The content depends only on size.
func generate(path string, size int64) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("\ufeffRecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n")
	rng := rand.New(rand.NewSource(7))
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	// estimate the record count to spread them evenly over the days
	const approx = 1150
	count := size / approx
	span := int64(days) * int64(24*time.Hour)
	var written, n int64
	for written < size {
		// newest first
		t := end.Add(-time.Duration(float64(span) * float64(n+1) / float64(count+1))).Truncate(time.Second)
		if t.Before(end.Add(-time.Duration(span))) {
			t = end.Add(-time.Duration(span)).Add(time.Duration(rng.Int63n(int64(time.Hour))))
		}
		r := rng.Intn(total)
		var k kind
		for _, c := range kinds {
			if r < c.weight {
				k = c
				break
			}
			r -= c.weight
		}
		user := fmt.Sprintf("user%03d@contoso.com", rng.Intn(500))
		id := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.Intn(1<<16), rng.Intn(1<<12), rng.Intn(1<<12), rng.Int63n(1<<48))
		ip := fmt.Sprintf("%d.%d.%d.%d", 20+rng.Intn(180), rng.Intn(256), rng.Intn(256), 1+rng.Intn(254))
		if k.workload == "Exchange" {
			ip += ":" + strconv.Itoa(1024+rng.Intn(60000))
		}
		ad := map[string]any{
			"CreationTime":   t.Format("2006-01-02T15:04:05"),
			"Id":             id,
			"Operation":      k.operation,
			"OrganizationId": "7a1b2c3d-0000-4000-8000-00000000c0de",
			"RecordType":     k.typeNum,
			"ResultStatus":   "Succeeded",
			"UserKey":        fmt.Sprintf("1003%012X", rng.Int63n(1<<48)),
			"UserType":       0,
			"Version":        1,
			"Workload":       k.workload,
			"ClientIP":       ip,
			"ObjectId":       fmt.Sprintf("https://contoso-my.sharepoint.com/personal/%s/Documents/file%05d.docx", strings.ReplaceAll(user, "@", "_"), rng.Intn(100000)),
			"UserId":         user,
			"UserAgent":      agents[rng.Intn(len(agents))],
		}
		switch k.operation {
		case "New-InboxRule", "Set-InboxRule":
			ad["Parameters"] = []any{
				map[string]any{"Name": "Name", "Value": fmt.Sprintf("rule %d", rng.Intn(1000))},
				map[string]any{"Name": "SubjectContainsWords", "Value": "invoice;payment"},
				map[string]any{"Name": "MoveToFolder", "Value": "RSS Subscriptions"},
				map[string]any{"Name": "StopProcessingRules", "Value": "True"},
			}
		case "MailItemsAccessed":
			ad["MailAccessType"] = "Bind"
			ad["ClientAppId"] = "00000002-0000-0ff1-ce00-000000000000"
			ad["Folders"] = []any{map[string]any{"Path": "\\Inbox", "FolderItems": []any{map[string]any{"InternetMessageId": fmt.Sprintf("<%s@contoso.com>", id[:13]), "SizeInBytes": rng.Intn(200000)}}}}
		case "UserLoggedIn":
			ad["ExtendedProperties"] = []any{map[string]any{"Name": "UserAgent", "Value": agents[rng.Intn(len(agents))]}, map[string]any{"Name": "RequestType", "Value": "OAuth2:Token"}}
			ad["ApplicationId"] = "d3590ed6-52b3-4102-aeff-aad2292ab01c"
		}
		js, _ := json.Marshal(ad)
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		ampm := "AM"
		if t.Hour() >= 12 {
			ampm = "PM"
		}
		line := fmt.Sprintf("%s,%d/%d/%d %d:%02d:%02d %s,%s,%s,%s,\"%s\",,\r\n", id, int(t.Month()), t.Day(), t.Year(), h, t.Minute(), t.Second(), ampm,
			k.recordType, k.operation, user, strings.ReplaceAll(string(js), `"`, `""`))
		w.WriteString(line)
		written += int64(len(line))
		n++
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return n, f.Close()
}

func parseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, x := range []struct {
		s string
		m int64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1e9}, {"M", 1e6}, {"K", 1e3}} {
		if strings.HasSuffix(u, x.s) {
			u, mult = strings.TrimSuffix(u, x.s), x.m
			break
		}
	}
	v, err := strconv.ParseFloat(u, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(v * float64(mult)), nil
}

func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	return "load average " + strings.Join(strings.Fields(string(b))[:3], " ")
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

func since(t time.Time) string { return time.Since(t).Round(time.Millisecond).String() }

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
