package kernels

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func dxtStrs(m memory.Allocator, vals ...any) Datum { return dxtCol(m, types.String, vals...) }

func dxtLongs(m memory.Allocator, vals ...any) Datum { return dxtCol(m, types.Long, vals...) }

func TestIPv4Kernels(t *testing.T) {
	dxtCheck(t, []dxtCase{
		{"parse_ipv4", "parse_ipv4", 5, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.1", "192.168.1.1/24", "255.255.255.255/31", "1.2.3", "1.2.3.256")}
		}, []string{"3232235777", "3232235776", "4294967294", "<null>", "<null>"}},
		{"parse_ipv4_mask", "parse_ipv4_mask", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.255", "192.168.1.255/16", "10.0.0.1"), dxtLongs(m, int64(24), int64(24), int64(33))}
		}, []string{"3232235776", "3232235520", "<null>"}},
		{"ipv4_is_private", "ipv4_is_private", 6, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "10.1.2.3", "192.168.1.1/24", "127.0.0.1", "172.31.255.255", "172.32.0.1", "x")}
		}, []string{"true", "true", "false", "true", "false", "<null>"}},
		{"ipv4_is_in_range", "ipv4_is_in_range", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.1", "192.168.1.1", "192.168.2.1"), dxtStrs(m, "192.168.1.1", "192.168.1.255/24", "192.168.1.255/24")}
		}, []string{"true", "true", "false"}},
		{"ipv4_is_in_any_range", "ipv4_is_in_any_range", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.6", "8.8.8.8"), dxtStrS(m, "192.168.1.1/24"), dxtStrS(m, "10.0.0.1/8"), dxtDynS(m, `["127.1.0.1/16"]`)}
		}, []string{"true", "false"}},
		{"ipv4_compare", "ipv4_compare", 5, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.0", "192.168.1.1/24", "192.168.1.1", "192.168.1.1/30", "10.0.0.1"),
				dxtStrs(m, "192.168.1.0", "192.168.1.255", "192.168.1.255/24", "192.168.1.255/24", "10.0.0.2")}
		}, []string{"0", "0", "0", "0", "-1"}},
		{"ipv4_compare prefix", "ipv4_compare", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.1", "192.168.1.1/24", "192.168.1.1"), dxtStrs(m, "192.168.1.0", "192.168.1.255", "192.168.1.255"), dxtLongs(m, int64(31), int64(31), int64(32))}
		}, []string{"0", "0", "-1"}},
		{"ipv4_is_match", "ipv4_is_match", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.1/24", "192.168.1.1"), dxtStrs(m, "192.168.1.255", "192.168.1.2")}
		}, []string{"true", "false"}},
		{"format_ipv4", "format_ipv4", 5, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.1", "192.168.1.1", "192.168.1.1/24", "192.168.1.1/24", "bad"), dxtLongs(m, int64(24), int64(32), int64(32), int64(-1), int64(32))}
		}, []string{"192.168.1.0", "192.168.1.1", "192.168.1.0", "", ""}},
		{"format_ipv4_mask", "format_ipv4_mask", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.1", "192.168.1.1/24", "192.168.1.1/24"), dxtLongs(m, int64(24), int64(32), int64(-1))}
		}, []string{"192.168.1.0/24", "192.168.1.0/24", ""}},
		{"format_ipv4 of long", "format_ipv4", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtLongS(m, 3232235777)}
		}, []string{"192.168.1.1"}},
		{"ipv4_netmask_suffix", "ipv4_netmask_suffix", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "10.1.2.3", "192.168.1.1/24", "127.0.0.1/16")}
		}, []string{"32", "24", "16"}},
		{"ipv4_range_to_cidr_list", "ipv4_range_to_cidr_list", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "1.1.128.0", "0.0.0.0", "10.0.0.5"), dxtStrs(m, "1.1.140.255", "255.255.255.255", "10.0.0.5")}
		}, []string{`["1.1.128.0/21","1.1.136.0/22","1.1.140.0/24"]`, `["0.0.0.0/0"]`, `["10.0.0.5/32"]`}},
	})
}

func TestIPv6Kernels(t *testing.T) {
	dxtCheck(t, []dxtCase{
		{"parse_ipv6", "parse_ipv6", 4, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.255.255", "192.168.255.255/24", "fe80::85d:e82c:9446:7994/120", "nope")}
		}, []string{"0000:0000:0000:0000:0000:ffff:c0a8:ffff", "0000:0000:0000:0000:0000:ffff:c0a8:ff00", "fe80:0000:0000:0000:085d:e82c:9446:7900", ""}},
		{"parse_ipv6_mask", "parse_ipv6_mask", 7, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.255.255", "192.168.255.255/24", "255.255.255.255", "fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7994/120", "::192.168.255.255", "::192.168.255.255/24"),
				dxtLongs(m, int64(120), int64(124), int64(128), int64(128), int64(124), int64(128), int64(128))}
		}, []string{"0000:0000:0000:0000:0000:ffff:c0a8:ff00", "0000:0000:0000:0000:0000:ffff:c0a8:ff00", "0000:0000:0000:0000:0000:ffff:ffff:ffff",
			"fe80:0000:0000:0000:085d:e82c:9446:7994", "fe80:0000:0000:0000:085d:e82c:9446:7900", "0000:0000:0000:0000:0000:ffff:c0a8:ffff", "0000:0000:0000:0000:0000:ffff:c0a8:ff00"}},
		{"ipv6_is_match", "ipv6_is_match", 6, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "192.168.1.1/24", "fe80::85d:e82c:9446:7994/120", "fe80::85d:e82c:9446:7994", "192.168.1.1", "::ffff:c0a8:0101", "::192.168.1.1/30"),
				dxtStrs(m, "192.168.1.255", "fe80::85d:e82c:9446:7998", "fe80::85d:e82c:9446:7998", "::ffff:c0a8:0101", "192.168.1.255/24", "192.168.1.255/24")}
		}, []string{"true", "true", "false", "true", "true", "true"}},
		{"ipv6_is_match prefix", "ipv6_is_match", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "fe80::85d:e82c:9446:7994", "fe80::85d:e82c:9446:7994"), dxtStrs(m, "fe80::85d:e82c:9446:7995", "fe80::85d:e82c:9446:7996"), dxtLongS(m, 127)}
		}, []string{"true", "false"}},
		{"ipv6 prefix of a dotted address", "parse_ipv6", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "::ffff:1.2.3.4/120", "1.2.3.4/8")}
		}, []string{"0000:0000:0000:0000:0000:ffff:0102:0300", "0000:0000:0000:0000:0000:ffff:0100:0000"}},
		{"ipv6_compare", "ipv6_compare", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, "::1", "::2"), dxtStrS(m, "::1")}
		}, []string{"0", "1"}},
		{"ipv6_is_in_range", "ipv6_is_in_range", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrS(m, "a5e:f127:8a9d:146d:e102:b5d3:c755:abcd"), dxtStrs(m, "a5e:f127:8a9d:146d:e102:b5d3:c755:0000/112", "a5e:f127:8a9d:146d:e102:b5d3:c755:abcd", "0:0:0:0:0:ffff:c0a8:ac/60")}
		}, []string{"true", "true", "false"}},
		{"ipv6_is_in_any_range", "ipv6_is_in_any_range", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrS(m, "2001:db8::1"), dxtDynS(m, `["fe80::/10","2001:db8::/32"]`)}
		}, []string{"true"}},
	})
}

func TestHasIPv4(t *testing.T) {
	log := "05:04:54 127.0.0.1 GET /favicon.ico 404"
	dxtCheck(t, []dxtCase{
		{"has_ipv4", "has_ipv4", 6, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, log, "05:04:54127.0.0.1 GET", "ip=127.0.0.1.", "x127.0.0.1", "a_127.0.0.1", "127.0.0.1.5"), dxtStrS(m, "127.0.0.1")}
		}, []string{"true", "false", "true", "false", "true", "false"}},
		{"has_ipv4_prefix", "has_ipv4_prefix", 6, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, log, log, "05:04:54 127.0.0.256 GET", "05:04:54127.0.0.1 GET", "at 127.0.0.10", "at 127.0.0.1"), dxtStrs(m, "127.0.", "127.0", "127.0.", "127.0.", "127.0.0.1", "127.0.0.1")}
		}, []string{"true", "false", "false", "false", "false", "true"}},
		{"has_any_ipv4", "has_any_ipv4", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, log, "05:04:54 127.0.0.256 GET", "05:04:54127.0.0.1 GET"), dxtDynS(m, `["127.0.0.256","192.168.1.1","127.0.0.1"]`)}
		}, []string{"true", "false", "false"}},
		{"has_any_ipv4 strings", "has_any_ipv4", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrS(m, log), dxtStrS(m, "127.0.0.1"), dxtStrS(m, "127.0.0.2")}
		}, []string{"true"}},
		{"has_any_ipv4_prefix", "has_any_ipv4_prefix", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrs(m, log, log, "05:04:54127.0.0.1 GET"), dxtStrs(m, "127.0.", "127.0", "127.0."), dxtStrS(m, "192.")}
		}, []string{"true", "false", "false"}},
	})
}
