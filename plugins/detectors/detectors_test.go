package detectors

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

type sliceInput struct{ recs []arrow.Record }

func (s *sliceInput) Next(context.Context) (arrow.Record, error) {
	if len(s.recs) == 0 {
		return nil, nil
	}
	r := s.recs[0]
	s.recs = s.recs[1:]
	return r, nil
}

type collectOutput struct{ rows []string }

func (c *collectOutput) Emit(rec arrow.Record) error {
	for i := 0; i < int(rec.NumRows()); i++ {
		var cells []string
		for j, f := range rec.Schema().Fields() {
			cells = append(cells, f.Name+"="+rec.Column(j).ValueStr(i))
		}
		c.rows = append(c.rows, strings.Join(cells, " "))
	}
	return nil
}

// run evaluates d over one record built from columns, with args.
func run(t *testing.T, d sdk.Detector, fields []arrow.Field, build func(b *array.RecordBuilder), args ...sdk.Arg) []string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(mem, schema)
	build(b)
	rec := b.NewRecord()
	b.Release()
	desc := d.Describe()
	call := &sdk.Call{Args: desc.ArgsFrom(args), Input: schema, Mem: mem}
	out := &collectOutput{}
	if err := d.Evaluate(context.Background(), call, &sliceInput{recs: []arrow.Record{rec}}, out); err != nil {
		t.Fatal(err)
	}
	return out.rows
}

func col(name string) sdk.Arg { return sdk.Arg{Name: name, Kind: "column", Value: name} }

func ts(s string) arrow.Timestamp {
	tm, _ := time.Parse(time.RFC3339, s)
	return arrow.Timestamp(tm.UnixNano())
}

func TestImpossibleTravel(t *testing.T) {
	fields := []arrow.Field{kernels.Field("user", types.String), kernels.Field("time", types.DateTime),
		kernels.Field("lat", types.Real), kernels.Field("lon", types.Real), kernels.Field("isp", types.String)}
	type signin struct {
		user, at, isp string
		lat, lon      float64
	}
	in := []signin{
		{"alice", "2024-02-27T10:00:00Z", "Contoso Fiber", 47.6062, -122.3321}, // Seattle
		{"alice", "2024-02-27T11:00:00Z", "Frantech", 52.3676, 4.9041},         // Amsterdam an hour later
		{"bob", "2024-02-27T10:00:00Z", "Contoso Fiber", 47.6062, -122.3321},
		{"bob", "2024-02-27T10:30:00Z", "Contoso Fiber", 47.6740, -122.1215}, // Redmond: below min_km
		{"carol", "2024-02-27T10:00:00Z", "BT", 51.5074, -0.1278},            // London
		{"carol", "2024-02-27T20:00:00Z", "Orange", 48.8566, 2.3522},         // Paris ten hours later
		{"dave", "2024-02-27T10:00:00Z", "CorpVPN", 47.6062, -122.3321},
		{"dave", "2024-02-27T10:05:00Z", "CorpVPN", 35.6762, 139.6503}, // Tokyo via the VPN egress
	}
	build := func(b *array.RecordBuilder) {
		for _, s := range in {
			b.Field(0).(*array.StringBuilder).Append(s.user)
			b.Field(1).(*array.TimestampBuilder).Append(ts(s.at))
			b.Field(2).(*array.Float64Builder).Append(s.lat)
			b.Field(3).(*array.Float64Builder).Append(s.lon)
			b.Field(4).(*array.StringBuilder).Append(s.isp)
		}
	}
	rows := run(t, ImpossibleTravel{}, fields, build, col("user"), col("time"), col("lat"), col("lon"), col("isp"),
		sdk.Arg{Name: "known_isps", Kind: "string", Value: "CorpVPN"})
	if len(rows) != 1 {
		t.Fatalf("want only alice flagged, got %d rows: %v", len(rows), rows)
	}
	// Seattle–Amsterdam is about 7,830 km great-circle; in one hour that is the speed too.
	var dist, speed float64
	fmt.Sscanf(rows[0][strings.Index(rows[0], "DistanceKm="):], "DistanceKm=%g SpeedKmh=%g", &dist, &speed)
	if !strings.HasPrefix(rows[0], "user=alice FromTime=2024-02-27 10:00:00") || dist < 7780 || dist > 7880 || speed != dist {
		t.Fatalf("row %q (distance %g, speed %g)", rows[0], dist, speed)
	}
	// Without the VPN allow-list dave is flagged too.
	rows = run(t, ImpossibleTravel{}, fields, build, col("user"), col("time"), col("lat"), col("lon"))
	if len(rows) != 2 || !strings.HasPrefix(rows[1], "user=dave") {
		t.Fatalf("got %v", rows)
	}
}

func TestInboxRuleScore(t *testing.T) {
	internal := []string{"contoso.com"}
	cases := []struct {
		name   string
		params ruleParams
		score  int
		reason []string
	}{
		{"attacker rule from the sample", ruleParams{"Name": ".", "SubjectOrBodyContainsWords": "invoice;payment;hacked;phish",
			"MoveToFolder": "RSS Feeds", "MarkAsRead": "True", "ForwardTo": "adele.vance@contoso-mail.com", "StopProcessingRules": "True"},
			100, []string{"a look-alike of contoso.com", "inconspicuous folder", "hack, invoice, payment, phish", "throw-away name"}},
		{"benign newsletter delete", ruleParams{"Name": "Newsletters", "From": "news@newsletter.example", "DeleteMessage": "True"},
			20, []string{"deletes the messages it matches"}},
		{"delete everything", ruleParams{"Name": "cleanup", "DeleteMessage": "True"}, 60, []string{"deletes every incoming message", "no condition"}},
		{"hide in RSS", ruleParams{"Name": "Notes", "MoveToFolder": ":\\RSS Subscriptions", "MarkAsRead": "True"}, 65, []string{"RSS Subscriptions", "marks them as read", "no condition"}},
		{"external forward on mailbox", ruleParams{"ForwardingSmtpAddress": "smtp:megan.backup2024@gmail.com", "DeliverToMailboxAndForward": "True"},
			60, []string{"external address megan.backup2024@gmail.com (ForwardingSmtpAddress)"}},
		{"internal forward", ruleParams{"Name": "Team", "From": "boss@contoso.com", "ForwardTo": "assistant@contoso.com"}, 5, []string{"internal address"}},
		{"harmless", ruleParams{"Name": "Project Falcon", "SubjectContainsWords": "Falcon", "MoveToFolder": "Projects\\Falcon"}, 0, nil},
	}
	for _, c := range cases {
		score, why := Score(c.params, internal)
		if score != c.score {
			t.Errorf("%s: score %d, want %d (%v)", c.name, score, c.score, why)
		}
		all := strings.Join(why, "; ")
		for _, r := range c.reason {
			if !strings.Contains(all, r) {
				t.Errorf("%s: reasons %q lack %q", c.name, all, r)
			}
		}
	}
}

func TestInboxRuleRiskOverRawEventData(t *testing.T) {
	fields := []arrow.Field{kernels.Field("ActionType", types.String), kernels.Field("RawEventData", types.Dynamic)}
	raw := func(user string, params map[string]string) string {
		var ps []map[string]string
		for _, k := range []string{"Name", "ForwardTo", "DeleteMessage", "From"} {
			if v, ok := params[k]; ok {
				ps = append(ps, map[string]string{"Name": k, "Value": v})
			}
		}
		b, _ := json.Marshal(map[string]any{"UserId": user, "Parameters": ps})
		return string(b)
	}
	rows := run(t, InboxRuleRisk{}, fields, func(b *array.RecordBuilder) {
		b.Field(0).(*array.StringBuilder).AppendValues([]string{"New-InboxRule", "New-InboxRule"}, nil)
		b.Field(1).(*array.StringBuilder).AppendValues([]string{
			raw("adelev@contoso.com", map[string]string{"Name": "fwd", "ForwardTo": "x@evil.example"}),
			raw("alexw@contoso.com", map[string]string{"Name": "News", "From": "n@news.example", "DeleteMessage": "True"}),
		}, nil)
	})
	want := []string{
		`RiskScore=60 RiskReasons=["forwards to external address x@evil.example (ForwardTo)","has no condition: it acts on every message"]`,
		`RiskScore=20 RiskReasons=["deletes the messages it matches"]`,
	}
	for i, w := range want {
		if !strings.HasSuffix(rows[i], w) {
			t.Errorf("row %d: %q, want suffix %q", i, rows[i], w)
		}
	}
}

func TestRarity(t *testing.T) {
	fields := []arrow.Field{kernels.Field("User", types.String), kernels.Field("ISP", types.String)}
	rows := run(t, Rarity{}, fields, func(b *array.RecordBuilder) {
		for _, r := range [][2]string{{"alice", "Contoso"}, {"alice", "Contoso"}, {"alice", "Contoso"}, {"alice", "Frantech"},
			{"bob", "Contoso"}, {"bob", "Contoso"}, {"carol", "Contoso"}} {
			b.Field(0).(*array.StringBuilder).Append(r[0])
			b.Field(1).(*array.StringBuilder).Append(r[1])
		}
	}, sdk.Arg{Name: "entity", Kind: "column", Value: "User"}, sdk.Arg{Name: "value", Kind: "column", Value: "ISP"})
	want := map[int]string{
		0: "User=alice ISP=Contoso EntityValueCount=3 EntityTotal=4 ValueEntities=3 Entities=3 Rarity=0.0833",
		3: "User=alice ISP=Frantech EntityValueCount=1 EntityTotal=4 ValueEntities=1 Entities=3 Rarity=0.75",
		6: "User=carol ISP=Contoso EntityValueCount=1 EntityTotal=1 ValueEntities=3 Entities=3 Rarity=0",
	}
	for i, w := range want {
		if rows[i] != w {
			t.Errorf("row %d: %q, want %q", i, rows[i], w)
		}
	}
}
