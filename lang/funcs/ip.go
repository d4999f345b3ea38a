package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// Declarations of the IPv4/IPv6 family.

func init() {
	s := types.Set(types.String)
	l := types.Integral
	sOrL := types.Set(types.String, types.Int, types.Long)
	ranges := types.Set(types.String, types.Dynamic)

	Register(dxScalar("ipv4_is_private", "whether an IPv4 address is in a private (RFC 1918) range",
		dxOv("ipv4_is_private", types.Bool, dxA("ip", s))))
	Register(dxScalar("ipv4_is_in_range", "whether an IPv4 address is in an IPv4 range (CIDR or address)",
		dxOv("ipv4_is_in_range", types.Bool, dxA("ip", s), dxA("range", s))))
	Register(dxScalar("ipv4_is_in_any_range", "whether an IPv4 address is in any of the ranges (strings or a dynamic array)",
		dxVov("ipv4_is_in_any_range", types.Bool, dxA("ip", s), dxA("range", ranges))))
	Register(dxScalar("ipv4_is_match", "whether two IPv4 addresses match (with CIDR prefixes and an optional prefix length)",
		dxOv("ipv4_is_match", types.Bool, dxA("ip1", s), dxA("ip2", s), dxOpt("prefix", l))))
	Register(dxScalar("ipv4_compare", "compares two IPv4 addresses: -1, 0 or 1",
		dxOv("ipv4_compare", types.Long, dxA("ip1", s), dxA("ip2", s), dxOpt("prefix", l))))
	Register(dxScalar("parse_ipv4", "an IPv4 address (optionally with /prefix) as a long",
		dxOv("parse_ipv4", types.Long, dxA("ip", s))))
	Register(dxScalar("parse_ipv4_mask", "an IPv4 address masked by a prefix length, as a long",
		dxOv("parse_ipv4_mask", types.Long, dxA("ip", s), dxA("prefix", l))))
	Register(dxScalar("format_ipv4", "an IPv4 address (string or long) masked by an optional prefix, as dotted text",
		dxOv("format_ipv4", types.String, dxA("ip", sOrL), dxOpt("prefix", l))))
	Register(dxScalar("format_ipv4_mask", "an IPv4 address (string or long) masked by an optional prefix, as CIDR text",
		dxOv("format_ipv4_mask", types.String, dxA("ip", sOrL), dxOpt("prefix", l))))
	Register(dxScalar("ipv4_netmask_suffix", "the prefix length of an IPv4 address or CIDR (32 without one)",
		dxOv("ipv4_netmask_suffix", types.Long, dxA("ip", s))))
	Register(dxScalar("ipv4_range_to_cidr_list", "the CIDR blocks covering an IPv4 address range",
		dxOv("ipv4_range_to_cidr_list", types.Dynamic, dxA("start", s), dxA("end", s))))
	Register(dxScalar("ipv6_compare", "compares two IPv6/IPv4 addresses: -1, 0 or 1",
		dxOv("ipv6_compare", types.Long, dxA("ip1", s), dxA("ip2", s), dxOpt("prefix", l))))
	Register(dxScalar("ipv6_is_match", "whether two IPv6/IPv4 addresses match",
		dxOv("ipv6_is_match", types.Bool, dxA("ip1", s), dxA("ip2", s), dxOpt("prefix", l))))
	Register(dxScalar("parse_ipv6", "the canonical full IPv6 form of an IPv6/IPv4 address (optionally with /prefix)",
		dxOv("parse_ipv6", types.String, dxA("ip", s))))
	Register(dxScalar("parse_ipv6_mask", "the canonical full IPv6 form of an address masked by a prefix length",
		dxOv("parse_ipv6_mask", types.String, dxA("ip", s), dxA("prefix", l))))
	Register(dxScalar("ipv6_is_in_range", "whether an IPv6/IPv4 address is in a range",
		dxOv("ipv6_is_in_range", types.Bool, dxA("ip", s), dxA("range", s))))
	Register(dxScalar("ipv6_is_in_any_range", "whether an IPv6/IPv4 address is in any of the ranges",
		dxVov("ipv6_is_in_any_range", types.Bool, dxA("ip", s), dxA("range", ranges))))
	Register(dxScalar("has_ipv4", "whether the text contains the IPv4 address as a delimited token",
		dxOv("has_ipv4", types.Bool, dxA("source", s), dxA("ip", s))))
	Register(dxScalar("has_ipv4_prefix", "whether the text contains an IPv4 address starting with the prefix",
		dxOv("has_ipv4_prefix", types.Bool, dxA("source", s), dxA("prefix", s))))
	Register(dxScalar("has_any_ipv4", "whether the text contains any of the IPv4 addresses",
		dxVov("has_any_ipv4", types.Bool, dxA("source", s), dxA("ip", ranges))))
	Register(dxScalar("has_any_ipv4_prefix", "whether the text contains an IPv4 address starting with any of the prefixes",
		dxVov("has_any_ipv4_prefix", types.Bool, dxA("source", s), dxA("prefix", ranges))))
}
