package kernels

// Encoding, hashing, compression and URL kernels (declared in
// lang/funcs/encoding.go).

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/adler32"
	"hash/crc32"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cespare/xxhash/v2"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// sxTicksEpoch is 0001-01-01 to 1970-01-01 in .NET ticks (100 ns).
const sxTicksEpoch = 621355968000000000

// sxHashBytes returns the bytes Kusto hashes for a value of kind k:
// strings as UTF-8, long/datetime (as .NET ticks)/timespan (ticks) as 8
// little-endian bytes, int as 4, real as its IEEE bits, bool as 1 byte,
// guid as its 16 .NET-order bytes, dynamic as its JSON text.
func sxHashBytes(v any, k types.Kind, buf []byte) []byte {
	buf = buf[:0]
	switch x := v.(type) {
	case string:
		if k == types.Guid {
			if b, ok := sxGuidBytes(x); ok {
				return append(buf, b...)
			}
		}
		return append(buf, x...)
	case bool:
		return append(buf, byte(sxB2i(x)))
	case float64:
		return binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
	case int64:
		switch k {
		case types.Int:
			return binary.LittleEndian.AppendUint32(buf, uint32(int32(x)))
		case types.DateTime:
			return binary.LittleEndian.AppendUint64(buf, uint64(sxFloorTicks(x)+sxTicksEpoch))
		case types.TimeSpan:
			return binary.LittleEndian.AppendUint64(buf, uint64(x/100))
		}
		return binary.LittleEndian.AppendUint64(buf, uint64(x))
	case nil:
		return buf
	}
	return sxFormatJSON(buf, v)
}

// sxGuidBytes converts a canonical guid to .NET's byte order (the first
// three groups little-endian).
func sxGuidBytes(g string) ([]byte, bool) {
	h := strings.ReplaceAll(g, "-", "")
	if len(h) != 32 {
		return nil, false
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, false
	}
	b[0], b[1], b[2], b[3] = b[3], b[2], b[1], b[0]
	b[4], b[5] = b[5], b[4]
	b[6], b[7] = b[7], b[6]
	return b, true
}

// sxGuidFromBytes is the inverse of sxGuidBytes.
// sxFloorTicks converts nanoseconds to 100 ns ticks, rounding down.
func sxFloorTicks(ns int64) int64 {
	q := ns / 100
	if ns%100 < 0 {
		q--
	}
	return q
}

func sxGuidFromBytes(b []byte) string {
	c := append([]byte(nil), b...)
	c[0], c[1], c[2], c[3] = c[3], c[2], c[1], c[0]
	c[4], c[5] = c[5], c[4]
	c[6], c[7] = c[7], c[6]
	h := hex.EncodeToString(c)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func sxModHash(h int64, a *sxRowArgs, i int, k int) (int64, bool) {
	if !a.has(k) {
		return h, true
	}
	m, ok := a.int(k, i)
	if !ok || m == 0 {
		return 0, false
	}
	if m < 0 {
		m = -m
	}
	r := h % m
	if r < 0 {
		r += m
	}
	return r, true
}

func sxXXHash(a *sxRowArgs, k, i int, buf []byte) (int64, []byte, bool) {
	v := a.val(k, i)
	if v == nil && a.ds[k].Kind != types.String {
		return 0, buf, false
	}
	if v == nil {
		v = ""
	}
	if a.ds[k].Kind == types.Dynamic {
		if s, ok := v.(string); ok {
			v = s
		}
	}
	buf = sxHashBytes(v, a.ds[k].Kind, buf)
	return int64(xxhash.Sum64(buf)), buf, true
}

// sxHashCombine mixes hash values (boost-style 64-bit combination).
func sxHashCombine(hs []int64) int64 {
	var h uint64
	for k, x := range hs {
		if k == 0 {
			h = uint64(x)
			continue
		}
		h ^= uint64(x) + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
	}
	return int64(h)
}

func sxHexHash(sum func([]byte) []byte) ScalarKernel {
	return sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		return hex.EncodeToString(sum([]byte(a.str(0, i)))), true
	})
}

// sxURLEncode percent-encodes s as .NET's HttpUtility.UrlEncode does
// (lower-case hex; unreserved: letters, digits and -_.!*()); spaces become
// plus when plus is set, %20 otherwise.
func sxURLEncode(s string, plus bool) string {
	const hexd = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9'),
			c == '-', c == '_', c == '.', c == '!', c == '*', c == '(', c == ')':
			b.WriteByte(c)
		case c == ' ' && plus:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

func sxUnhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// sxURLDecode decodes %XX escapes and '+' (as space); invalid escapes stay as written.
func sxURLDecode(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s):
			h, ok1 := sxUnhex(s[i+1])
			l, ok2 := sxUnhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, h<<4|l)
				i += 2
			} else {
				b = append(b, c)
			}
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// sxQueryParams parses a=b&c=d into an ordered bag (values decoded).
func sxQueryParams(q string) *types.Bag {
	o := types.NewBag(4)
	if q == "" {
		return o
	}
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = sxURLDecode(k), sxURLDecode(v)
		o.Set(k, v)
	}
	return o
}

var sxURLKeys = []string{"Scheme", "Host", "Port", "Path", "Username", "Password", "Query Parameters", "Fragment"}

// sxParseURL splits an absolute URL into Kusto's parse_url bag; nil when
// the text is not an absolute URL.
func sxParseURL(s string) *types.Bag {
	s = strings.TrimSpace(s)
	sep := strings.Index(s, "://")
	if sep <= 0 {
		return nil
	}
	scheme := s[:sep]
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c == '+' || c == '-' || c == '.') {
			return nil
		}
	}
	rest := s[sep+3:]
	var frag, query string
	if j := strings.IndexByte(rest, '#'); j >= 0 {
		rest, frag = rest[:j], rest[j+1:]
	}
	if j := strings.IndexByte(rest, '?'); j >= 0 {
		rest, query = rest[:j], rest[j+1:]
	}
	authority, path := rest, ""
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		authority, path = rest[:j], rest[j:]
	}
	var user, pass string
	if j := strings.LastIndexByte(authority, '@'); j >= 0 {
		ui := authority[:j]
		authority = authority[j+1:]
		user, pass, _ = strings.Cut(ui, ":")
	}
	host, port := authority, ""
	if strings.HasPrefix(host, "[") {
		if j := strings.IndexByte(host, ']'); j >= 0 {
			if strings.HasPrefix(host[j+1:], ":") {
				port = host[j+2:]
			}
			host = host[:j+1]
		}
	} else if j := strings.LastIndexByte(host, ':'); j >= 0 {
		host, port = host[:j], host[j+1:]
	}
	return sxBag(sxURLKeys, []any{scheme, host, port, path, user, pass, sxQueryParams(query), frag})
}

// sxParsePath splits a file path into Kusto's parse_path bag.
func sxParsePath(p string) any {
	scheme := ""
	if j := strings.Index(p, "://"); j > 0 {
		scheme, p = p[:j], p[j+3:]
	}
	root := ""
	body := p
	switch {
	case strings.HasPrefix(p, `\\?\`):
		body = p[4:]
		if len(body) >= 2 && body[1] == ':' {
			root = body[:2]
		}
		body = p
	case len(p) >= 2 && p[1] == ':' && ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')):
		root = p[:2]
	}
	last := strings.LastIndexAny(body, `\/`)
	dir, file := "", body
	if last >= 0 {
		dir, file = body[:last], body[last+1:]
	}
	ads := ""
	// an alternate data stream follows a colon in the file name (not the drive colon)
	if j := strings.IndexByte(file, ':'); j >= 0 {
		file, ads = file[:j], file[j+1:]
	}
	dirName := dir
	if j := strings.LastIndexAny(dir, `\/`); j >= 0 {
		dirName = dir[j+1:]
	}
	if dirName == root {
		dirName = ""
	}
	ext := ""
	if j := strings.LastIndexByte(file, '.'); j >= 0 {
		ext = file[j+1:]
	}
	return sxBag([]string{"Scheme", "RootPath", "DirectoryPath", "DirectoryName", "Filename", "Extension", "AlternateDataStreamName"},
		[]any{scheme, root, dir, dirName, file, ext, ads})
}

// sxBase64Decode decodes padded standard base64 (Kusto rejects unpadded
// input: base64_decode_toarray("U3RyaW5n0KHR0tGA0L7Rh9C60LA") is null); ok
// is false when invalid.
func sxBase64Decode(s string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	return b, err == nil
}

// sxStoredDeflate writes data as deflate stored blocks (the form Kusto's
// compress functions produce).
func sxStoredDeflate(dst, data []byte) []byte {
	if len(data) == 0 {
		return append(dst, 0x01, 0x00, 0x00, 0xff, 0xff)
	}
	for len(data) > 0 {
		n := len(data)
		if n > 65535 {
			n = 65535
		}
		final := byte(0)
		if n == len(data) {
			final = 1
		}
		dst = append(dst, final, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		dst = append(dst, data[:n]...)
		data = data[n:]
	}
	return dst
}

func sxGzip(data []byte) []byte {
	out := []byte{0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff}
	out = sxStoredDeflate(out, data)
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(data))
	return binary.LittleEndian.AppendUint32(out, uint32(len(data)))
}

func sxZlib(data []byte) []byte {
	out := []byte{0x78, 0x01}
	out = sxStoredDeflate(out, data)
	return binary.BigEndian.AppendUint32(out, adler32.Checksum(data))
}

const sxMaxDecompressed = 64 << 20

func sxInflate(r io.Reader, err error) (string, bool) {
	if err != nil {
		return "", false
	}
	b, err := io.ReadAll(io.LimitReader(r, sxMaxDecompressed))
	if err != nil || !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

func sxTohex(a *sxRowArgs, i int) (string, bool) {
	v, ok := a.int(0, i)
	if !ok {
		return "", false
	}
	var s string
	if a.ds[0].Kind == types.Int {
		s = strconv.FormatUint(uint64(uint32(int32(v))), 16)
	} else {
		s = strconv.FormatUint(uint64(v), 16)
	}
	if a.has(1) {
		if m, ok := a.int(1, i); ok && int(m) > len(s) && m <= 256 {
			s = strings.Repeat("0", int(m)-len(s)) + s
		}
	}
	return s, true
}

func sxNewGuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func init() {
	sxRegister("base64_encode_tostring_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		return base64.StdEncoding.EncodeToString([]byte(a.str(0, i))), true
	}))
	sxRegister("base64_decode_tostring_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		b, ok := sxBase64Decode(a.str(0, i))
		if !ok || !utf8.Valid(b) {
			return "", false
		}
		return string(b), true
	}))
	sxRegister("base64_decode_toarray_string", sxDynFn(func(a *sxRowArgs, i int) any {
		b, ok := sxBase64Decode(a.str(0, i))
		if !ok {
			return nil
		}
		out := make([]any, len(b))
		for k, c := range b {
			out[k] = int64(c)
		}
		return out
	}))
	sxRegister("base64_encode_fromarray_dynamic", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		arr, ok := a.val(0, i).([]any)
		if !ok {
			return "", false
		}
		b := make([]byte, 0, len(arr))
		for _, e := range arr {
			switch x := e.(type) {
			case int64:
				b = append(b, byte(x))
			case float64:
				b = append(b, byte(int64(x)))
			default:
				return "", false
			}
		}
		return base64.StdEncoding.EncodeToString(b), true
	}))
	sxRegister("base64_decode_toguid_string", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		a := sxArgsOf(args)
		vals := make([]string, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			if b, ok := sxBase64Decode(a.str(0, i)); ok && len(b) == 16 {
				vals[i], valid[i] = sxGuidFromBytes(b), true
			}
		}
		return Datum{Array: sxStrArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: types.Guid}, nil
	})
	sxRegister("base64_encode_fromguid_guid", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		b, ok := sxGuidBytes(strings.ToLower(a.str(0, i)))
		if !ok {
			return "", false
		}
		return base64.StdEncoding.EncodeToString(b), true
	}))
	sxRegister("url_encode_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) { return sxURLEncode(a.str(0, i), true), true }))
	sxRegister("url_encode_component_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) { return sxURLEncode(a.str(0, i), false), true }))
	sxRegister("url_decode_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) { return sxURLDecode(a.str(0, i)), true }))
	sxRegister("parse_url_string", sxDynFn(func(a *sxRowArgs, i int) any {
		if o := sxParseURL(a.str(0, i)); o != nil {
			return o
		}
		return sxBag(sxURLKeys, []any{"", "", "", "", "", "", types.NewBag(0), ""})
	}))
	sxRegister("parse_urlquery_string", sxDynFn(func(a *sxRowArgs, i int) any {
		q := a.str(0, i)
		if j := strings.IndexByte(q, '?'); j >= 0 {
			q = q[j+1:]
		}
		return sxBag([]string{"Query Parameters"}, []any{sxQueryParams(q)})
	}))
	sxRegister("parse_path_string", sxDynFn(func(a *sxRowArgs, i int) any { return sxParsePath(a.str(0, i)) }))

	xx := func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		var buf []byte
		return sxLongFn(func(a *sxRowArgs, i int) (int64, bool) {
			var h int64
			var ok bool
			h, buf, ok = sxXXHash(a, 0, i, buf)
			if !ok {
				return 0, false
			}
			return sxModHash(h, a, i, 1)
		})(ctx, args, n)
	}
	sxRegister("hash_any", xx)
	sxRegister("hash_xxhash64_any", xx)
	sxRegister("hash_crc32_any", sxLongFn(func(a *sxRowArgs, i int) (int64, bool) {
		return sxModHash(int64(crc32.ChecksumIEEE([]byte(a.str(0, i)))), a, i, 1)
	}))
	sxRegister("hash_sha256_any", sxHexHash(func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }))
	sxRegister("hash_sha1_any", sxHexHash(func(b []byte) []byte { s := sha1.Sum(b); return s[:] }))
	sxRegister("hash_md5_any", sxHexHash(func(b []byte) []byte { s := md5.Sum(b); return s[:] }))
	sxRegister("hash_combine_variadic", sxLongFn(func(a *sxRowArgs, i int) (int64, bool) {
		hs := make([]int64, len(a.ds))
		for k := range a.ds {
			v, ok := a.int(k, i)
			if !ok {
				return 0, false
			}
			hs[k] = v
		}
		return sxHashCombine(hs), true
	}))
	sxRegister("hash_many_variadic", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		var buf []byte
		return sxLongFn(func(a *sxRowArgs, i int) (int64, bool) {
			hs := make([]int64, len(a.ds))
			for k := range a.ds {
				var ok bool
				hs[k], buf, ok = sxXXHash(a, k, i, buf)
				if !ok {
					hs[k] = 0
				}
			}
			return sxHashCombine(hs), true
		})(ctx, args, n)
	})
	sxRegister("gzip_compress_to_base64_string_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		return base64.StdEncoding.EncodeToString(sxGzip([]byte(a.str(0, i)))), true
	}))
	sxRegister("zlib_compress_to_base64_string_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		return base64.StdEncoding.EncodeToString(sxZlib([]byte(a.str(0, i)))), true
	}))
	sxRegister("gzip_decompress_from_base64_string_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		b, ok := sxBase64Decode(a.str(0, i))
		if !ok {
			return "", false
		}
		return sxInflate(gzip.NewReader(bytes.NewReader(b)))
	}))
	sxRegister("zlib_decompress_from_base64_string_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		b, ok := sxBase64Decode(a.str(0, i))
		if !ok {
			return "", false
		}
		r, err := zlib.NewReader(bytes.NewReader(b))
		if err != nil {
			// raw deflate without the zlib wrapper
			return sxInflate(flate.NewReader(bytes.NewReader(b)), nil)
		}
		return sxInflate(r, nil)
	}))
	sxRegister("new_guid_none", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		vals := make([]string, n)
		for i := range vals {
			vals[i] = sxNewGuid()
		}
		return Datum{Array: sxStrArr(sxMem(ctx), vals, nil), Kind: types.Guid}, nil
	})
	sxRegister("tohex_long", sxStrFn(sxTohex))
}

// Punycode (RFC 3492) with the IDNA parameters.
const (
	sxPunyBase        = 36
	sxPunyTMin        = 1
	sxPunyTMax        = 26
	sxPunySkew        = 38
	sxPunyDamp        = 700
	sxPunyInitialBias = 72
	sxPunyInitialN    = 128
)

func sxPunyAdapt(delta, numPoints int, first bool) int {
	if first {
		delta /= sxPunyDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > ((sxPunyBase-sxPunyTMin)*sxPunyTMax)/2 {
		delta /= sxPunyBase - sxPunyTMin
		k += sxPunyBase
	}
	return k + (sxPunyBase-sxPunyTMin+1)*delta/(delta+sxPunySkew)
}

func sxPunyDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

// sxPunyEncode encodes s (without the xn-- prefix); ok is false on overflow.
func sxPunyEncode(s string) (string, bool) {
	rs := []rune(s)
	var out []byte
	for _, r := range rs {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := sxPunyInitialN, 0, sxPunyInitialBias
	for h < len(rs) {
		m := int(^uint(0) >> 1)
		for _, r := range rs {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		if (m - n) > (math.MaxInt32-delta)/(h+1) {
			return "", false
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, r := range rs {
			if int(r) < n {
				delta++
			}
			if int(r) == n {
				q := delta
				for k := sxPunyBase; ; k += sxPunyBase {
					t := k - bias
					if t < sxPunyTMin {
						t = sxPunyTMin
					} else if t > sxPunyTMax {
						t = sxPunyTMax
					}
					if q < t {
						break
					}
					out = append(out, sxPunyDigit(t+(q-t)%(sxPunyBase-t)))
					q = (q - t) / (sxPunyBase - t)
				}
				out = append(out, sxPunyDigit(q))
				bias = sxPunyAdapt(delta, h+1, h == b)
				delta = 0
				h++
			}
		}
		delta++
		n++
	}
	return string(out), true
}

// sxPunyDecode decodes punycode text (without the xn-- prefix).
func sxPunyDecode(s string) (string, bool) {
	var out []rune
	b := strings.LastIndexByte(s, '-')
	if b > 0 {
		for _, c := range []byte(s[:b]) {
			if c >= 0x80 {
				return "", false
			}
			out = append(out, rune(c))
		}
		s = s[b+1:]
	} else if b == 0 {
		s = s[1:]
	}
	n, i, bias := sxPunyInitialN, 0, sxPunyInitialBias
	for p := 0; p < len(s); {
		oldi, w := i, 1
		for k := sxPunyBase; ; k += sxPunyBase {
			if p >= len(s) {
				return "", false
			}
			c := s[p]
			p++
			var d int
			switch {
			case '0' <= c && c <= '9':
				d = int(c-'0') + 26
			case 'a' <= c && c <= 'z':
				d = int(c - 'a')
			case 'A' <= c && c <= 'Z':
				d = int(c - 'A')
			default:
				return "", false
			}
			if d > (math.MaxInt32-i)/w {
				return "", false
			}
			i += d * w
			t := k - bias
			if t < sxPunyTMin {
				t = sxPunyTMin
			} else if t > sxPunyTMax {
				t = sxPunyTMax
			}
			if d < t {
				break
			}
			w *= sxPunyBase - t
		}
		bias = sxPunyAdapt(i-oldi, len(out)+1, oldi == 0)
		n += i / (len(out) + 1)
		i %= len(out) + 1
		if n > utf8.MaxRune {
			return "", false
		}
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = rune(n)
		i++
	}
	return string(out), true
}

// sxDomainLabels splits a domain on '.', '。' (U+3002), '．' (U+FF0E) and '｡' (U+FF61).
func sxDomainLabels(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '\u3002' || r == '\uff0e' || r == '\uff61' })
}

func sxPunyDomainEncode(s string) (string, bool) {
	labels := sxDomainLabels(s)
	for k, l := range labels {
		if sxIsASCII(l) {
			continue
		}
		e, ok := sxPunyEncode(l)
		if !ok {
			return "", false
		}
		labels[k] = "xn--" + e
	}
	return strings.Join(labels, "."), true
}

func sxPunyDomainDecode(s string) (string, bool) {
	labels := sxDomainLabels(s)
	for k, l := range labels {
		if len(l) > 4 && strings.EqualFold(l[:4], "xn--") {
			d, ok := sxPunyDecode(l[4:])
			if !ok {
				return "", false
			}
			labels[k] = d
		}
	}
	return strings.Join(labels, "."), true
}

func init() {
	puny := func(f func(string) (string, bool)) ScalarKernel {
		return sxStrFn(func(a *sxRowArgs, i int) (string, bool) { return f(a.str(0, i)) })
	}
	sxRegister("punycode_from_string_string", puny(sxPunyEncode))
	sxRegister("punycode_to_string_string", puny(sxPunyDecode))
	sxRegister("punycode_domain_to_string_string", puny(sxPunyDomainEncode))
	sxRegister("punycode_domain_from_string_string", puny(sxPunyDomainDecode))
}
