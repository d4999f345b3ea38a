// Package gen writes deterministic CloudAppEvents-shaped Parquet files for
// the performance suite: events over 60 days from ~50k accounts (Zipf
// skew) through ~5k ISPs, with RawEventData JSON carrying a Parameters
// array on inbox-rule events, and a 50k-row identity table.
package gen

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

const (
	Accounts = 50_000
	ISPs     = 5_000
	Days     = 60
	// Start is the first event time (2026-01-01T00:00:00Z) in Unix ns.
	Start int64 = 1767225600 * 1e9
	// End is Start + 60 days.
	End int64 = Start + Days*24*3600*1e9
)

// ActionTypes and their weights (per mille).
var ActionTypes = []string{"FileAccessed", "FileDownloaded", "MailItemsAccessed", "UserLoggedIn", "FileModified", "Send", "New-InboxRule", "Set-InboxRule", "FileDeleted", "Add member to role."}
var actionWeights = []int{300, 150, 200, 150, 80, 60, 25, 10, 20, 5}

var countries = []string{"US", "GB", "DE", "FR", "NL", "IN", "BR", "JP", "CA", "AU", "ES", "IT", "PL", "SE", "NG", "RU", "CN", "ZA", "MX", "KR"}

var agents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
	"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
	"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
	"python-requests/2.31.0",
	"Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko",
}

var departments = []string{"Finance", "Sales", "Engineering", "HR", "Legal", "IT", "Marketing", "Support"}

var words = []string{"Q3", "budget", "report", "confidential", "plan", "minutes", "roadmap", "confidentiality", "draft", "final", "salary", "invoice", "contract", "notes"}

// AccountID is the AccountObjectId of account i.
func AccountID(i int) string {
	return fmt.Sprintf("%08x-1111-4000-8000-%012x", uint32(i)*2654435761, i)
}

// EventSchema is the Arrow schema of the events table (kql.type metadata).
func EventSchema() *arrow.Schema {
	return kernels.Schema(&types.Schema{Columns: []types.Column{
		{Name: "Timestamp", Type: types.DateTime},
		{Name: "ActionType", Type: types.String},
		{Name: "Application", Type: types.String},
		{Name: "AccountObjectId", Type: types.String},
		{Name: "AccountDisplayName", Type: types.String},
		{Name: "IPAddress", Type: types.String},
		{Name: "CountryCode", Type: types.String},
		{Name: "ISP", Type: types.String},
		{Name: "UserAgent", Type: types.String},
		{Name: "ObjectName", Type: types.String},
		{Name: "RawEventData", Type: types.Dynamic},
	}})
}

// IdentitySchema is the Arrow schema of the identity table.
func IdentitySchema() *arrow.Schema {
	return kernels.Schema(&types.Schema{Columns: []types.Column{
		{Name: "AccountObjectId", Type: types.String},
		{Name: "AccountUpn", Type: types.String},
		{Name: "Department", Type: types.String},
		{Name: "IsAdmin", Type: types.Bool},
	}})
}

func writerProps() (*parquet.WriterProperties, pqarrow.ArrowWriterProperties) {
	return parquet.NewWriterProperties(
			parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithDictionaryDefault(true),
			parquet.WithMaxRowGroupLength(1<<20),
		),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
}

// Events writes n event rows to path.
func Events(path string, n int) error {
	mem := memory.NewGoAllocator()
	schema := EventSchema()
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	props, aprops := writerProps()
	w, err := pqarrow.NewFileWriter(schema, f, props, aprops)
	if err != nil {
		f.Close()
		return err
	}
	rnd := rand.New(rand.NewSource(42))
	zAcc := rand.NewZipf(rnd, 1.1, 20, Accounts-1)
	zISP := rand.NewZipf(rnd, 1.2, 10, ISPs-1)
	accIP := func(a int) string { return fmt.Sprintf("10.%d.%d.%d", a%200, (a/200)%250, a%97) }
	var cum []int
	s := 0
	for _, w := range actionWeights {
		s += w
		cum = append(cum, s)
	}
	step := (End - Start) / int64(n)
	const batch = 65536
	var sb strings.Builder
	for start := 0; start < n; start += batch {
		cnt := min(batch, n-start)
		b := array.NewRecordBuilder(mem, schema)
		for i := 0; i < cnt; i++ {
			row := start + i
			ts := Start + int64(row)*step + rnd.Int63n(step)
			r := rnd.Intn(s)
			at := 0
			for cum[at] <= r {
				at++
			}
			acc := int(zAcc.Uint64())
			// A fifth of events come from a second address (travel).
			ip := accIP(acc)
			if rnd.Intn(5) == 0 {
				ip = fmt.Sprintf("172.%d.%d.%d", rnd.Intn(32), rnd.Intn(256), rnd.Intn(256))
			}
			isp := int(zISP.Uint64())
			b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(ts))
			b.Field(1).(*array.StringBuilder).Append(ActionTypes[at])
			app := "Microsoft SharePoint Online"
			if at == 2 || at >= 5 {
				app = "Microsoft Exchange Online"
			}
			b.Field(2).(*array.StringBuilder).Append(app)
			b.Field(3).(*array.StringBuilder).Append(AccountID(acc))
			b.Field(4).(*array.StringBuilder).Append(fmt.Sprintf("User %d", acc))
			b.Field(5).(*array.StringBuilder).Append(ip)
			b.Field(6).(*array.StringBuilder).Append(countries[(acc*7+isp)%len(countries)%(1+rnd.Intn(len(countries)))])
			b.Field(7).(*array.StringBuilder).Append(fmt.Sprintf("ISP %d Communications", isp))
			b.Field(8).(*array.StringBuilder).Append(agents[(acc+rnd.Intn(2))%len(agents)])
			obj := fmt.Sprintf("%s %s %s.docx", words[rnd.Intn(len(words))], words[rnd.Intn(len(words))], words[rnd.Intn(len(words))])
			b.Field(9).(*array.StringBuilder).Append(obj)
			sb.Reset()
			fmt.Fprintf(&sb, `{"Operation":%q,"UserId":"user%d@contoso.com","ClientIP":%q,"Workload":%q`, ActionTypes[at], acc, ip, app)
			if at == 6 || at == 7 {
				fwd := "archive@contoso.com"
				if rnd.Intn(10) == 0 {
					fwd = fmt.Sprintf("drop%d@external.example", rnd.Intn(50))
				}
				fmt.Fprintf(&sb, `,"Parameters":[{"Name":"Identity","Value":"rule%d"},{"Name":"ForwardTo","Value":%q},{"Name":"StopProcessingRules","Value":"True"},{"Name":"SubjectContainsWords","Value":"invoice;payment"}]`, rnd.Intn(100), fwd)
			}
			sb.WriteString("}")
			b.Field(10).(*array.StringBuilder).Append(sb.String())
		}
		rec := b.NewRecord()
		b.Release()
		if err := w.WriteBuffered(rec); err != nil {
			rec.Release()
			w.Close()
			return err
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Identity writes the Accounts-row identity table to path.
func Identity(path string) error {
	mem := memory.NewGoAllocator()
	schema := IdentitySchema()
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	props, aprops := writerProps()
	w, err := pqarrow.NewFileWriter(schema, f, props, aprops)
	if err != nil {
		f.Close()
		return err
	}
	rnd := rand.New(rand.NewSource(7))
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := 0; i < Accounts; i++ {
		b.Field(0).(*array.StringBuilder).Append(AccountID(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("user%d@contoso.com", i))
		b.Field(2).(*array.StringBuilder).Append(departments[rnd.Intn(len(departments))])
		b.Field(3).(*array.BooleanBuilder).Append(rnd.Intn(50) == 0)
	}
	rec := b.NewRecord()
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Ensure writes the files of a size into dir unless present and returns
// the events and identity paths.
func Ensure(dir string, n int) (events, identity string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	events = filepath.Join(dir, fmt.Sprintf("CloudAppEvents_%d.parquet", n))
	identity = filepath.Join(dir, "IdentityInfo.parquet")
	if _, err := os.Stat(identity); err != nil {
		if err := Identity(identity); err != nil {
			return "", "", err
		}
	}
	if _, err := os.Stat(events); err != nil {
		if err := Events(events, n); err != nil {
			return "", "", err
		}
	}
	return events, identity, nil
}
