package kernels

// Kernels of the IPv4/IPv6 family. Addresses are text, optionally with a
// CIDR suffix (`10.1.2.3/8`) that masks the address; IPv4 addresses given
// to the IPv6 functions are IPv4-mapped (::ffff:a.b.c.d, prefix + 96).
// Invalid input gives null (an empty string for string results).

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterScalar("ipv4_is_private", kIPv4IsPrivate)
	RegisterScalar("ipv4_is_in_range", kIPv4IsInRange)
	RegisterScalar("ipv4_is_in_any_range", kIPv4IsInAnyRange)
	RegisterScalar("ipv4_is_match", kIPv4Compare(true))
	RegisterScalar("ipv4_compare", kIPv4Compare(false))
	RegisterScalar("parse_ipv4", kParseIPv4)
	RegisterScalar("parse_ipv4_mask", kParseIPv4Mask)
	RegisterScalar("format_ipv4", kFormatIPv4(false))
	RegisterScalar("format_ipv4_mask", kFormatIPv4(true))
	RegisterScalar("ipv4_netmask_suffix", kIPv4NetmaskSuffix)
	RegisterScalar("ipv4_range_to_cidr_list", kIPv4RangeToCIDR)
	RegisterScalar("ipv6_compare", kIPv6Compare(false))
	RegisterScalar("ipv6_is_match", kIPv6Compare(true))
	RegisterScalar("parse_ipv6", kParseIPv6)
	RegisterScalar("parse_ipv6_mask", kParseIPv6Mask)
	RegisterScalar("ipv6_is_in_range", kIPv6IsInRange)
	RegisterScalar("ipv6_is_in_any_range", kIPv6IsInAnyRange)
	RegisterScalar("has_ipv4", kHasIPv4(false, false))
	RegisterScalar("has_ipv4_prefix", kHasIPv4(true, false))
	RegisterScalar("has_any_ipv4", kHasIPv4(false, true))
	RegisterScalar("has_any_ipv4_prefix", kHasIPv4(true, true))
}

// ipv4 is a parsed IPv4 address with its prefix length (32 without suffix).
type ipv4 struct {
	addr   uint32
	prefix int
}

func ipv4Mask(p int) uint32 {
	if p <= 0 {
		return 0
	}
	if p >= 32 {
		return 0xffffffff
	}
	return ^uint32(0) << (32 - p)
}

// parseIPv4 parses `a.b.c.d` or `a.b.c.d/p` (0 ≤ p ≤ 32).
func parseIPv4(s string) (ipv4, bool) {
	s = strings.TrimSpace(s)
	prefix := 32
	if i := strings.IndexByte(s, '/'); i >= 0 {
		p, err := strconv.Atoi(strings.TrimSpace(s[i+1:]))
		if err != nil || p < 0 || p > 32 {
			return ipv4{}, false
		}
		prefix = p
		s = strings.TrimSpace(s[:i])
	}
	a, ok := parseDottedQuad(s)
	if !ok {
		return ipv4{}, false
	}
	return ipv4{addr: a, prefix: prefix}, true
}

// parseDottedQuad parses exactly four decimal octets.
func parseDottedQuad(s string) (uint32, bool) {
	var out uint32
	part, digits, parts := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || part > 255 {
				return 0, false
			}
			out = out<<8 | uint32(part)
			parts++
			part, digits = 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' || digits == 3 {
			return 0, false
		}
		part = part*10 + int(c-'0')
		digits++
	}
	return out, parts == 4
}

func formatIPv4(a uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], a)
	return netip.AddrFrom4(b).String()
}

// ipv4Arg reads row i of an address argument: a string, or a long for
// format_ipv4.
func ipv4Arg(c *dxCol, i int) (ipv4, bool) {
	switch c.kind {
	case types.Int, types.Long:
		v, ok := c.long(i)
		if !ok || v < 0 || v > 0xffffffff {
			return ipv4{}, false
		}
		return ipv4{addr: uint32(v), prefix: 32}, true
	}
	s, ok := c.str(i)
	if !ok {
		return ipv4{}, false
	}
	return parseIPv4(s)
}

func kIPv4IsPrivate(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Bool, func(c []*dxCol, i int, o *dxOut) {
		ip, ok := ipv4Arg(c[0], i)
		if !ok {
			o.null()
			return
		}
		a := ip.addr & ipv4Mask(ip.prefix)
		o.boolean(a&0xff000000 == 0x0a000000 || a&0xfff00000 == 0xac100000 || a&0xffff0000 == 0xc0a80000)
	})
}

func ipv4InRange(ip, r ipv4) bool {
	m := ipv4Mask(r.prefix)
	return ip.addr&m == r.addr&m
}

func kIPv4IsInRange(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Bool, func(c []*dxCol, i int, o *dxOut) {
		ip, ok1 := ipv4Arg(c[0], i)
		r, ok2 := ipv4Arg(c[1], i)
		if !ok1 || !ok2 {
			o.null()
			return
		}
		o.boolean(ipv4InRange(ip, r))
	})
}

// dxStrings collects the strings of the arguments c[from:] at row i: each
// argument a string or a dynamic array of strings.
func dxStrings(c []*dxCol, from, i int) []string {
	var out []string
	for _, x := range c[from:] {
		if x.kind == types.Dynamic {
			switch t := x.value(i).(type) {
			case []any:
				for _, v := range t {
					if s, ok := v.(string); ok {
						out = append(out, s)
					}
				}
			case string:
				out = append(out, t)
			}
			continue
		}
		if s, ok := x.str(i); ok {
			out = append(out, s)
		}
	}
	return out
}

func kIPv4IsInAnyRange(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Bool, func(c []*dxCol, i int, o *dxOut) {
		ip, ok := ipv4Arg(c[0], i)
		if !ok {
			o.null()
			return
		}
		for _, s := range dxStrings(c, 1, i) {
			if r, ok := parseIPv4(s); ok && ipv4InRange(ip, r) {
				o.boolean(true)
				return
			}
		}
		o.boolean(false)
	})
}

// kIPv4Compare implements ipv4_compare (match=false: -1, 0, 1) and
// ipv4_is_match (match=true): the addresses are compared on the shortest
// of their prefixes and the optional prefix argument.
func kIPv4Compare(match bool) ScalarKernel {
	kind := types.Long
	if match {
		kind = types.Bool
	}
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return dxMap(ctx, args, n, kind, func(c []*dxCol, i int, o *dxOut) {
			a, ok1 := ipv4Arg(c[0], i)
			b, ok2 := ipv4Arg(c[1], i)
			if !ok1 || !ok2 {
				o.null()
				return
			}
			p := min(a.prefix, b.prefix)
			if len(c) > 2 && !c[2].isNull(i) {
				q, _ := c[2].long(i)
				if q < 0 || q > 32 {
					o.null()
					return
				}
				p = min(p, int(q))
			}
			m := ipv4Mask(p)
			x, y := a.addr&m, b.addr&m
			cmp := int64(0)
			if x < y {
				cmp = -1
			} else if x > y {
				cmp = 1
			}
			if match {
				o.boolean(cmp == 0)
			} else {
				o.long(cmp)
			}
		})
	}
}

func kParseIPv4(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Long, func(c []*dxCol, i int, o *dxOut) {
		ip, ok := ipv4Arg(c[0], i)
		if !ok {
			o.null()
			return
		}
		o.long(int64(ip.addr & ipv4Mask(ip.prefix)))
	})
}

func kParseIPv4Mask(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Long, func(c []*dxCol, i int, o *dxOut) {
		ip, ok := ipv4Arg(c[0], i)
		p, pok := c[1].long(i)
		if !ok || !pok || p < 0 || p > 32 {
			o.null()
			return
		}
		o.long(int64(ip.addr & ipv4Mask(min(ip.prefix, int(p)))))
	})
}

// kFormatIPv4 implements format_ipv4 and format_ipv4_mask (withMask).
func kFormatIPv4(withMask bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return dxMap(ctx, args, n, types.String, func(c []*dxCol, i int, o *dxOut) {
			ip, ok := ipv4Arg(c[0], i)
			p := int64(32)
			if len(c) > 1 {
				var pok bool
				p, pok = c[1].long(i)
				if !pok {
					ok = false
				}
			}
			if !ok || p < 0 || p > 32 {
				o.str("")
				return
			}
			eff := min(ip.prefix, int(p))
			s := formatIPv4(ip.addr & ipv4Mask(eff))
			if withMask {
				s += "/" + strconv.Itoa(eff)
			}
			o.str(s)
		})
	}
}

func kIPv4NetmaskSuffix(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Long, func(c []*dxCol, i int, o *dxOut) {
		ip, ok := ipv4Arg(c[0], i)
		if !ok {
			o.null()
			return
		}
		o.long(int64(ip.prefix))
	})
}

// ipv4RangeToCIDR returns the smallest list of CIDR blocks covering [lo, hi].
func ipv4RangeToCIDR(lo, hi uint32) []any {
	out := []any{}
	cur := uint64(lo)
	end := uint64(hi)
	for cur <= end {
		// largest block aligned at cur
		size := 32
		if cur != 0 {
			size = bits.TrailingZeros32(uint32(cur))
		}
		for size > 0 && cur+(uint64(1)<<size)-1 > end {
			size--
		}
		out = append(out, fmt.Sprintf("%s/%d", formatIPv4(uint32(cur)), 32-size))
		cur += uint64(1) << size
	}
	return out
}

func kIPv4RangeToCIDR(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		a, ok1 := ipv4Arg(c[0], i)
		b, ok2 := ipv4Arg(c[1], i)
		if !ok1 || !ok2 || a.addr > b.addr {
			o.null()
			return
		}
		o.dyn(ipv4RangeToCIDR(a.addr, b.addr))
	})
}

// ipv6 is a parsed IPv6 (or IPv4-mapped) address with its prefix length.
type ipv6 struct {
	addr   [16]byte
	prefix int
}

// parseIPv6 parses an IPv6 or IPv4 address with an optional /prefix. An
// IPv4 address (also written inside IPv6 text, `::1.2.3.4`) becomes
// IPv4-mapped and a prefix up to 32 counts IPv4 bits (+96).
func parseIPv6(s string) (ipv6, bool) {
	s = strings.TrimSpace(s)
	prefix := -1
	if i := strings.IndexByte(s, '/'); i >= 0 {
		p, err := strconv.Atoi(strings.TrimSpace(s[i+1:]))
		if err != nil || p < 0 {
			return ipv6{}, false
		}
		prefix = p
		s = strings.TrimSpace(s[:i])
	}
	if strings.IndexByte(s, '.') >= 0 {
		v4 := s
		if j := strings.LastIndexByte(s, ':'); j >= 0 {
			if _, err := netip.ParseAddr(s); err != nil {
				return ipv6{}, false
			}
			v4 = s[j+1:]
		}
		a, ok := parseDottedQuad(v4)
		if !ok || prefix > 128 {
			return ipv6{}, false
		}
		switch {
		case prefix < 0:
			prefix = 128
		case prefix <= 32:
			// an IPv4 prefix length
			prefix += 96
		}
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], a)
		return ipv6{addr: netip.AddrFrom4(b).As16(), prefix: prefix}, true
	}
	ad, err := netip.ParseAddr(s)
	if err != nil || !ad.Is6() || ad.Zone() != "" || prefix > 128 {
		return ipv6{}, false
	}
	if prefix < 0 {
		prefix = 128
	}
	return ipv6{addr: ad.As16(), prefix: prefix}, true
}

// masked returns the address with the bits after p cleared.
func (ip ipv6) masked(p int) [16]byte {
	out := ip.addr
	for i := 0; i < 16; i++ {
		bitsLeft := p - 8*i
		switch {
		case bitsLeft >= 8:
		case bitsLeft <= 0:
			out[i] = 0
		default:
			out[i] &= byte(0xff << (8 - bitsLeft))
		}
	}
	return out
}

func formatIPv6Full(a [16]byte) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 39)
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[a[i]>>4], hex[a[i]&15], hex[a[i+1]>>4], hex[a[i+1]&15])
	}
	return string(b)
}

func ipv6Arg(c *dxCol, i int) (ipv6, bool) {
	s, ok := c.str(i)
	if !ok {
		return ipv6{}, false
	}
	return parseIPv6(s)
}

func cmpBytes(x, y [16]byte) int64 {
	for i := range x {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func kIPv6Compare(match bool) ScalarKernel {
	kind := types.Long
	if match {
		kind = types.Bool
	}
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return dxMap(ctx, args, n, kind, func(c []*dxCol, i int, o *dxOut) {
			a, ok1 := ipv6Arg(c[0], i)
			b, ok2 := ipv6Arg(c[1], i)
			if !ok1 || !ok2 {
				o.null()
				return
			}
			p := min(a.prefix, b.prefix)
			if len(c) > 2 && !c[2].isNull(i) {
				q, _ := c[2].long(i)
				if q < 0 || q > 128 {
					o.null()
					return
				}
				p = min(p, int(q))
			}
			cmp := cmpBytes(a.masked(p), b.masked(p))
			if match {
				o.boolean(cmp == 0)
			} else {
				o.long(cmp)
			}
		})
	}
}

func kParseIPv6(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.String, func(c []*dxCol, i int, o *dxOut) {
		ip, ok := ipv6Arg(c[0], i)
		if !ok {
			o.str("")
			return
		}
		o.str(formatIPv6Full(ip.masked(ip.prefix)))
	})
}

func kParseIPv6Mask(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.String, func(c []*dxCol, i int, o *dxOut) {
		ip, ok := ipv6Arg(c[0], i)
		p, pok := c[1].long(i)
		if !ok || !pok || p < 0 || p > 128 {
			o.str("")
			return
		}
		o.str(formatIPv6Full(ip.masked(min(ip.prefix, int(p)))))
	})
}

func ipv6InRange(ip, r ipv6) bool {
	return cmpBytes(ip.masked(r.prefix), r.masked(r.prefix)) == 0
}

func kIPv6IsInRange(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Bool, func(c []*dxCol, i int, o *dxOut) {
		ip, ok1 := ipv6Arg(c[0], i)
		r, ok2 := ipv6Arg(c[1], i)
		if !ok1 || !ok2 {
			o.null()
			return
		}
		o.boolean(ipv6InRange(ip, r))
	})
}

func kIPv6IsInAnyRange(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Bool, func(c []*dxCol, i int, o *dxOut) {
		ip, ok := ipv6Arg(c[0], i)
		if !ok {
			o.null()
			return
		}
		for _, s := range dxStrings(c, 1, i) {
			if r, ok := parseIPv6(s); ok && ipv6InRange(ip, r) {
				o.boolean(true)
				return
			}
		}
		o.boolean(false)
	})
}

// ipv4Tokens returns the IPv4 addresses that appear in text as tokens:
// maximal runs of digits and dots, not adjacent to a letter or digit, that
// are exactly a dotted quad.
func ipv4Tokens(text string, yield func(tok string) bool) {
	i := 0
	for i < len(text) {
		c := text[i]
		if !(c >= '0' && c <= '9') {
			i++
			continue
		}
		st := i
		for i < len(text) && (text[i] == '.' || (text[i] >= '0' && text[i] <= '9')) {
			i++
		}
		if st > 0 && isAlnumByte(text[st-1]) {
			continue
		}
		if i < len(text) && isAlnumByte(text[i]) {
			continue
		}
		tok := text[st:i]
		// a sentence-ending dot is not part of the address
		for len(tok) > 0 && tok[len(tok)-1] == '.' {
			tok = tok[:len(tok)-1]
		}
		if _, ok := parseDottedQuad(tok); ok {
			if !yield(tok) {
				return
			}
		}
	}
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// validIPv4Prefix reports whether p is a usable has_ipv4_prefix prefix: a
// full address, or one to three octets followed by a dot.
func validIPv4Prefix(p string) bool {
	if _, ok := parseDottedQuad(p); ok {
		return true
	}
	if !strings.HasSuffix(p, ".") {
		return false
	}
	parts := strings.Split(p[:len(p)-1], ".")
	if len(parts) > 3 {
		return false
	}
	for _, x := range parts {
		v, err := strconv.Atoi(x)
		if err != nil || v < 0 || v > 255 || len(x) > 3 {
			return false
		}
	}
	return true
}

// kHasIPv4 implements has_ipv4, has_ipv4_prefix and their has_any forms.
func kHasIPv4(prefix, anyOf bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return dxMap(ctx, args, n, types.Bool, func(c []*dxCol, i int, o *dxOut) {
			text, ok := c[0].str(i)
			if !ok {
				text = ""
			}
			var wants []string
			if anyOf {
				wants = dxStrings(c, 1, i)
			} else if w, ok := c[1].str(i); ok {
				wants = []string{w}
			}
			valid := wants[:0:0]
			for _, w := range wants {
				w = strings.TrimSpace(w)
				if prefix && validIPv4Prefix(w) {
					valid = append(valid, w)
				} else if _, ok := parseDottedQuad(w); ok && !prefix {
					valid = append(valid, w)
				}
			}
			if len(valid) == 0 {
				o.boolean(false)
				return
			}
			found := false
			ipv4Tokens(text, func(tok string) bool {
				for _, w := range valid {
					// a prefix ends with a dot; a full address must match exactly
					if (strings.HasSuffix(w, ".") && strings.HasPrefix(tok, w)) || sameIPv4(tok, w) {
						found = true
						return false
					}
				}
				return true
			})
			o.boolean(found)
		})
	}
}

func sameIPv4(a, b string) bool {
	x, ok1 := parseDottedQuad(a)
	y, ok2 := parseDottedQuad(b)
	return ok1 && ok2 && x == y
}
