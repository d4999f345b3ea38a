package kernels

// String and regular-expression function kernels (declared in
// lang/funcs/strings.go).

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// sxRowArgs gives row-wise access to a kernel's arguments.
type sxRowArgs struct {
	ds []Datum
	ss []*sxStr
	ns []*sxNum
}

func sxArgsOf(ds []Datum) *sxRowArgs {
	a := &sxRowArgs{ds: ds, ss: make([]*sxStr, len(ds)), ns: make([]*sxNum, len(ds))}
	for k, d := range ds {
		a.ss[k] = sxStrOf(d)
		switch d.Kind {
		case types.Int, types.Long, types.Real, types.Decimal, types.DateTime, types.TimeSpan, types.Bool:
			if _, isBool := d.Array.(*array.Boolean); !isBool {
				a.ns[k] = sxNumOf(d)
			}
		}
	}
	return a
}

func (a *sxRowArgs) has(k int) bool { return k < len(a.ds) }

func (a *sxRowArgs) str(k, i int) string {
	if k >= len(a.ss) {
		return ""
	}
	return a.ss[k].at(a.ds[k].Row(i))
}

func (a *sxRowArgs) null(k, i int) bool {
	if k >= len(a.ds) {
		return true
	}
	if a.ns[k] != nil {
		return a.ns[k].null(i)
	}
	return a.ds[k].Array == nil || a.ds[k].Array.IsNull(a.ds[k].Row(i))
}

// int returns argument k of row i as an integer; ok is false when absent or null.
func (a *sxRowArgs) int(k, i int) (int64, bool) {
	if k >= len(a.ds) {
		return 0, false
	}
	if a.ns[k] != nil {
		if a.ns[k].null(i) {
			return 0, false
		}
		return a.ns[k].int(i), true
	}
	switch v := a.val(k, i).(type) {
	case int64:
		return v, true
	case float64:
		return int64(v), true
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func (a *sxRowArgs) val(k, i int) any {
	if k >= len(a.ds) {
		return nil
	}
	return sxValue(a.ds[k].Array, a.ds[k].Row(i), a.ds[k].Kind)
}

// Per-row kernel builders: f returns the value and whether it is non-null.

func sxStrFn(f func(a *sxRowArgs, i int) (string, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		a := sxArgsOf(args)
		vals := make([]string, m)
		for i := 0; i < m; i++ {
			vals[i], _ = f(a, i)
		}
		return Datum{Array: sxStrArr(sxMem(ctx), vals, nil), Scalar: sc, Kind: types.String}, nil
	}
}

func sxLongFn(f func(a *sxRowArgs, i int) (int64, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		a := sxArgsOf(args)
		vals := make([]int64, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			vals[i], valid[i] = f(a, i)
		}
		return Datum{Array: sxIntArr(sxMem(ctx), types.Long, vals, valid), Scalar: sc, Kind: types.Long}, nil
	}
}

func sxBoolFn(f func(a *sxRowArgs, i int) (bool, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		a := sxArgsOf(args)
		vals := make([]bool, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			vals[i], valid[i] = f(a, i)
		}
		return Datum{Array: sxBoolArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: types.Bool}, nil
	}
}

// sxDynFn builds a dynamic result: f returns a dynamic-model value (nil = null).
func sxDynFn(f func(a *sxRowArgs, i int) any) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		a := sxArgsOf(args)
		vals := make([]string, m)
		valid := make([]bool, m)
		var buf []byte
		for i := 0; i < m; i++ {
			v := f(a, i)
			if v == nil {
				continue
			}
			buf = sxFormatJSON(buf[:0], v)
			vals[i], valid[i] = string(buf), true
		}
		return Datum{Array: sxStrArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: types.Dynamic}, nil
	}
}

// sxErrFn wraps a kernel whose per-pattern setup may fail (regex compile).
type sxErrBox struct{ err error }

func (b *sxErrBox) set(err error) {
	if b.err == nil {
		b.err = err
	}
}

func sxWithErr(mk func(box *sxErrBox) ScalarKernel) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		box := &sxErrBox{}
		d, err := mk(box)(ctx, args, n)
		if err == nil && box.err != nil {
			d.Release()
			return Datum{}, box.err
		}
		return d, err
	}
}

// sxRuneIndex converts a character index to a byte offset in s (clamped).
func sxRuneIndex(s string, ci int) int {
	if ci <= 0 {
		return 0
	}
	if sxIsASCII(s) {
		if ci > len(s) {
			return len(s)
		}
		return ci
	}
	for b := range s {
		if ci == 0 {
			return b
		}
		ci--
	}
	return len(s)
}

// sxCharIndex converts a byte offset in s to a character index.
func sxCharIndex(s string, b int) int {
	if sxIsASCII(s[:b]) {
		return b
	}
	return utf8.RuneCountInString(s[:b])
}

func sxSubstring(a *sxRowArgs, i int) (string, bool) {
	s := a.str(0, i)
	start, ok := a.int(1, i)
	if !ok {
		return "", false
	}
	nch := int64(utf8.RuneCountInString(s))
	if start < 0 {
		start = 0
	}
	if start >= nch {
		return "", true
	}
	end := nch
	if a.has(2) {
		l, ok := a.int(2, i)
		if !ok {
			return "", false
		}
		if l < 0 {
			return "", true
		}
		if l < end-start {
			end = start + l
		}
	}
	return s[sxRuneIndex(s, int(start)):sxRuneIndex(s, int(end))], true
}

func sxReverse(s string) string {
	if sxIsASCII(s) {
		b := make([]byte, len(s))
		for i := 0; i < len(s); i++ {
			b[len(s)-1-i] = s[i]
		}
		return string(b)
	}
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// sxArrayOf returns a dynamic argument as an array (nil when not an array).
func sxArrayOf(v any) []any {
	arr, _ := v.([]any)
	return arr
}

func sxSplit(a *sxRowArgs, i int) any {
	s, d := a.str(0, i), a.str(1, i)
	var parts []string
	if d == "" {
		parts = []string{s}
	} else {
		parts = strings.Split(s, d)
	}
	if a.has(2) {
		idx, ok := a.int(2, i)
		if !ok {
			return nil
		}
		if idx < 0 || idx >= int64(len(parts)) {
			return []any{}
		}
		return []string{parts[idx]}
	}
	return parts
}

// sxReplaceStrings replaces several lookups in one pass: earlier lookups
// claim their (non-overlapping) occurrences first; later lookups only
// replace occurrences that overlap no claimed one. A rewrite that is not a
// string (or is missing) leaves its claimed occurrences unchanged.
func sxReplaceStrings(s string, lookups []string, rewrites []any) string {
	type claim struct {
		start, end int
		rw         string
	}
	var claims []claim
	overlaps := func(st, en int) bool {
		for _, c := range claims {
			if st < c.end && c.start < en {
				return true
			}
		}
		return false
	}
	for k, l := range lookups {
		if l == "" {
			continue
		}
		rw, ok := "", false
		if k < len(rewrites) {
			rw, ok = rewrites[k].(string)
		}
		if !ok {
			rw = l
		}
		for from := 0; from <= len(s); {
			j := strings.Index(s[from:], l)
			if j < 0 {
				break
			}
			st := from + j
			if !overlaps(st, st+len(l)) {
				claims = append(claims, claim{st, st + len(l), rw})
				from = st + len(l)
			} else {
				from = st + 1
			}
		}
	}
	if len(claims) == 0 {
		return s
	}
	sort.Slice(claims, func(x, y int) bool { return claims[x].start < claims[y].start })
	var b strings.Builder
	pos := 0
	for _, c := range claims {
		b.WriteString(s[pos:c.start])
		b.WriteString(c.rw)
		pos = c.end
	}
	b.WriteString(s[pos:])
	return b.String()
}

func sxStringsOf(v any) []string {
	arr := sxArrayOf(v)
	out := make([]string, len(arr))
	for i, e := range arr {
		out[i] = sxToString(e, types.Dynamic)
	}
	return out
}

// sxRewrite converts a Kusto regex rewrite pattern (\1 for group 1) to Go's
// template syntax (${1}), escaping literal dollars.
func sxRewrite(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(p) && p[i+1] >= '0' && p[i+1] <= '9':
			j := i + 1
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			b.WriteString("${" + p[i+1:j] + "}")
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func sxReplaceRegex(box *sxErrBox, srcArg, reArg, rwArg int) ScalarKernel {
	return sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		re, err := sxRegex(a.str(reArg, i))
		if err != nil {
			box.set(err)
			return "", false
		}
		return re.ReplaceAllString(a.str(srcArg, i), sxRewrite(a.str(rwArg, i))), true
	})
}

// sxConvert converts extracted text to kind k (for extract's typeof()).
func sxConvert(s string, k types.Kind) (any, bool) {
	switch k {
	case types.String, types.Unknown, types.Null:
		return s, true
	case types.Int, types.Long:
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if ferr != nil {
				return nil, false
			}
			v = int64(f)
		}
		return v, true
	case types.Real, types.Decimal:
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return v, err == nil
	case types.Bool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
	case types.DateTime:
		v, err := types.ParseDateTime(s)
		return v, err == nil
	case types.Guid:
		v, err := types.ParseGuid(s)
		return v, err == nil
	case types.Dynamic:
		v, err := sxParseJSON(s)
		if err != nil {
			return s, true
		}
		return v, true
	}
	return nil, false
}

func sxExtract(ctx *Ctx, args []Datum, n int) (Datum, error) {
	m, sc := sxRows(args, n)
	a := sxArgsOf(args)
	out := types.String
	if len(args) >= 4 && args[3].Kind != types.Unknown && args[3].Kind != types.Null {
		out = args[3].Kind
	}
	texts := make([]string, m)
	found := make([]bool, m)
	for i := 0; i < m; i++ {
		re, err := sxRegex(a.str(0, i))
		if err != nil {
			return Datum{}, err
		}
		g, ok := a.int(1, i)
		if !ok || g < 0 || int(g) > re.NumSubexp() {
			continue
		}
		sm := re.FindStringSubmatchIndex(a.str(2, i))
		if sm == nil || sm[2*g] < 0 {
			continue
		}
		texts[i], found[i] = a.str(2, i)[sm[2*g]:sm[2*g+1]], true
	}
	mem := sxMem(ctx)
	switch out {
	case types.String:
		return Datum{Array: sxStrArr(mem, texts, nil), Scalar: sc, Kind: out}, nil
	case types.Guid:
		vals := make([]string, m)
		valid := make([]bool, m)
		for i := range texts {
			if found[i] {
				if v, ok := sxConvert(texts[i], out); ok {
					vals[i], valid[i] = v.(string), true
				}
			}
		}
		return Datum{Array: sxStrArr(mem, vals, valid), Scalar: sc, Kind: out}, nil
	case types.Dynamic:
		vals := make([]string, m)
		valid := make([]bool, m)
		for i := range texts {
			if found[i] {
				v, _ := sxConvert(texts[i], out)
				vals[i], valid[i] = string(sxFormatJSON(nil, v)), true
			}
		}
		return Datum{Array: sxStrArr(mem, vals, valid), Scalar: sc, Kind: out}, nil
	case types.Real, types.Decimal:
		vals := make([]float64, m)
		valid := make([]bool, m)
		for i := range texts {
			if found[i] {
				if v, ok := sxConvert(texts[i], out); ok {
					vals[i], valid[i] = v.(float64), true
				}
			}
		}
		return Datum{Array: sxFloatArr(mem, vals, valid), Scalar: sc, Kind: out}, nil
	case types.Bool:
		vals := make([]bool, m)
		valid := make([]bool, m)
		for i := range texts {
			if found[i] {
				if v, ok := sxConvert(texts[i], out); ok {
					vals[i], valid[i] = v.(bool), true
				}
			}
		}
		return Datum{Array: sxBoolArr(mem, vals, valid), Scalar: sc, Kind: out}, nil
	case types.Int, types.Long, types.DateTime, types.TimeSpan:
		vals := make([]int64, m)
		valid := make([]bool, m)
		for i := range texts {
			if !found[i] {
				continue
			}
			if out == types.TimeSpan {
				if v, ok := sxParseTimespan(texts[i]); ok {
					vals[i], valid[i] = v, true
				}
				continue
			}
			if v, ok := sxConvert(texts[i], out); ok {
				vals[i], valid[i] = v.(int64), true
			}
		}
		return Datum{Array: sxIntArr(mem, out, vals, valid), Scalar: sc, Kind: out}, nil
	}
	return Datum{}, fmt.Errorf("extract: cannot convert to %s", out)
}

// sxParseTimespan parses the [-][d.]hh:mm[:ss[.fffffff]] form.
func sxParseTimespan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	if d := strings.IndexByte(parts[0], '.'); d >= 0 {
		v, err := strconv.ParseInt(parts[0][:d], 10, 64)
		if err != nil {
			return 0, false
		}
		days, parts[0] = v, parts[0][d+1:]
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	mi, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	var sec float64
	if len(parts) == 3 {
		v, err := strconv.ParseFloat(parts[2], 64)
		if err != nil {
			return 0, false
		}
		sec = v
	}
	ns := days*86400e9 + h*3600e9 + mi*60e9 + int64(math.Round(sec*1e9))
	if neg {
		ns = -ns
	}
	return ns, true
}

func sxExtractAll(box *sxErrBox, groupsArg bool) ScalarKernel {
	return sxDynFn(func(a *sxRowArgs, i int) any {
		re, err := sxRegex(a.str(0, i))
		if err != nil {
			box.set(err)
			return nil
		}
		srcArg := 1
		var groups []int
		if groupsArg {
			srcArg = 2
			for _, g := range sxArrayOf(a.val(1, i)) {
				switch x := g.(type) {
				case int64:
					groups = append(groups, int(x))
				case float64:
					groups = append(groups, int(x))
				case string:
					groups = append(groups, re.SubexpIndex(x))
				}
			}
			for _, g := range groups {
				if g < 0 || g > re.NumSubexp() {
					box.set(fmt.Errorf("extract_all: capture group %d does not exist in %q", g, re.String()))
					return nil
				}
			}
		} else {
			for g := 1; g <= re.NumSubexp(); g++ {
				groups = append(groups, g)
			}
			if len(groups) == 0 {
				groups = []int{0}
			}
		}
		s := a.str(srcArg, i)
		ms := re.FindAllStringSubmatchIndex(s, -1)
		if len(ms) == 0 {
			return nil
		}
		out := make([]any, 0, len(ms))
		for _, sm := range ms {
			get := func(g int) string {
				if sm[2*g] < 0 {
					return ""
				}
				return s[sm[2*g]:sm[2*g+1]]
			}
			if len(groups) == 1 {
				out = append(out, get(groups[0]))
				continue
			}
			row := make([]any, len(groups))
			for k, g := range groups {
				row[k] = get(g)
			}
			out = append(out, row)
		}
		return out
	})
}

// sxIndexOf implements indexof (regex=false) and indexof_regex.
func sxIndexOf(box *sxErrBox, regex bool) ScalarKernel {
	return sxLongFn(func(a *sxRowArgs, i int) (int64, bool) {
		s, lookup := a.str(0, i), a.str(1, i)
		nch := int64(utf8.RuneCountInString(s))
		start := int64(0)
		if a.has(2) {
			v, ok := a.int(2, i)
			if !ok {
				return 0, false
			}
			start = v
		}
		if start < 0 {
			if regex {
				return 0, false
			}
			start += nch
			if start < 0 {
				start = 0
			}
		}
		if start > nch {
			return -1, true
		}
		end := nch
		if a.has(3) {
			l, ok := a.int(3, i)
			if !ok {
				return 0, false
			}
			if l >= 0 && l < nch {
				e := start + l
				if !regex {
					e++ // the searched range includes the character at start+length
				}
				if e < end {
					end = e
				}
			} else if l < -1 {
				return 0, false
			}
		}
		occ := int64(1)
		if a.has(4) {
			v, ok := a.int(4, i)
			if !ok || v <= 0 {
				return 0, false
			}
			occ = v
		}
		bs, be := sxRuneIndex(s, int(start)), sxRuneIndex(s, int(end))
		win := s[bs:be]
		var re *regexp.Regexp
		if regex {
			var err error
			if re, err = sxRegex(lookup); err != nil {
				box.set(err)
				return 0, false
			}
			locs := re.FindAllStringIndex(win, int(occ))
			if int64(len(locs)) < occ {
				return -1, true
			}
			return int64(sxCharIndex(s, bs+locs[occ-1][0])), true
		}
		from := 0
		for k := int64(1); ; k++ {
			j := strings.Index(win[from:], lookup)
			if j < 0 {
				return -1, true
			}
			if k == occ {
				return int64(sxCharIndex(s, bs+from+j)), true
			}
			from += j + 1
			if from > len(win) {
				return -1, true
			}
		}
	})
}

func sxCountOf(box *sxErrBox) ScalarKernel {
	return sxLongFn(func(a *sxRowArgs, i int) (int64, bool) {
		s, p := a.str(0, i), a.str(1, i)
		kind := "normal"
		if a.has(2) {
			kind = strings.ToLower(a.str(2, i))
		}
		if kind == "regex" {
			re, err := sxRegex(p)
			if err != nil {
				box.set(err)
				return 0, false
			}
			return int64(len(re.FindAllStringIndex(s, -1))), true
		}
		if p == "" {
			return 0, true
		}
		cnt := int64(0)
		for from := 0; ; {
			j := strings.Index(s[from:], p)
			if j < 0 {
				return cnt, true
			}
			cnt++
			_, w := utf8.DecodeRuneInString(s[from+j:])
			from += j + w
		}
	})
}

func sxTrim(box *sxErrBox, start, end bool) ScalarKernel {
	return sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		p, s := a.str(0, i), a.str(1, i)
		if start {
			re, err := sxRegex(`^(?:` + p + `)+`)
			if err != nil {
				box.set(err)
				return "", false
			}
			if loc := re.FindStringIndex(s); loc != nil {
				s = s[loc[1]:]
			}
		}
		if end {
			re, err := sxRegex(`(?:` + p + `)+$`)
			if err != nil {
				box.set(err)
				return "", false
			}
			if loc := re.FindStringIndex(s); loc != nil {
				s = s[:loc[0]]
			}
		}
		return s, true
	})
}

// sxCommandLineWindows splits a command line with the Windows
// CommandLineToArgvW rules (2n backslashes + quote → n backslashes and a
// quote toggle; 2n+1 → n backslashes and a literal quote).
func sxCommandLineWindows(s string) []string {
	var out []string
	var cur strings.Builder
	inArg, inQuote := false, false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			j := i
			for j < len(s) && s[j] == '\\' {
				j++
			}
			nb := j - i
			if j < len(s) && s[j] == '"' {
				cur.WriteString(strings.Repeat(`\`, nb/2))
				if nb%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuote = !inQuote
				}
				i = j + 1
			} else {
				cur.WriteString(strings.Repeat(`\`, nb))
				i = j
			}
			inArg = true
		case c == '"':
			if inQuote && i+1 < len(s) && s[i+1] == '"' {
				cur.WriteByte('"')
				i += 2
				inArg = true
				continue
			}
			inQuote = !inQuote
			inArg = true
			i++
		case (c == ' ' || c == '\t') && !inQuote:
			if inArg {
				out = append(out, cur.String())
				cur.Reset()
				inArg = false
			}
			i++
		default:
			cur.WriteByte(c)
			inArg = true
			i++
		}
	}
	if inArg {
		out = append(out, cur.String())
	}
	return out
}

func sxTranslate(a *sxRowArgs, i int) (string, bool) {
	search, repl, s := []rune(a.str(0, i)), []rune(a.str(1, i)), a.str(2, i)
	var b strings.Builder
	for _, r := range s {
		k := -1
		for j, c := range search {
			if c == r {
				k = j
				break
			}
		}
		switch {
		case k < 0:
			b.WriteRune(r)
		case len(repl) == 0:
		case k < len(repl):
			b.WriteRune(repl[k])
		default:
			b.WriteRune(repl[len(repl)-1])
		}
	}
	return b.String(), true
}

func sxCodepointsToString(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		var b strings.Builder
		add := func(v any) {
			switch x := v.(type) {
			case int64:
				b.WriteRune(rune(x))
			case float64:
				b.WriteRune(rune(int64(x)))
			}
		}
		for k := range a.ds {
			v := a.val(k, i)
			if arr, ok := v.([]any); ok {
				for _, e := range arr {
					add(e)
				}
				continue
			}
			add(v)
		}
		return b.String(), true
	})(ctx, args, n)
}

// sxParseCSV splits the first CSV record of s (RFC 4180 quoting).
func sxParseCSV(s string) []string {
	out := []string{}
	var cur strings.Builder
	inQ := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQ && c == '"' && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			inQ = !inQ
		case !inQ && c == ',':
			out = append(out, cur.String())
			cur.Reset()
		case !inQ && (c == '\n' || c == '\r'):
			return append(out, cur.String())
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

func init() {
	sxRegister("regex_quote_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) { return regexp.QuoteMeta(a.str(0, i)), true }))
	sxRegister("parse_csv_string", sxDynFn(func(a *sxRowArgs, i int) any { return sxParseCSV(a.str(0, i)) }))
	sxRegister("strlen_string", sxLongFn(func(a *sxRowArgs, i int) (int64, bool) {
		s := a.str(0, i)
		if sxIsASCII(s) {
			return int64(len(s)), true
		}
		return int64(utf8.RuneCountInString(s)), true
	}))
	sxRegister("string_size_string", sxLongFn(func(a *sxRowArgs, i int) (int64, bool) { return int64(len(a.str(0, i))), true }))
	sxRegister("substring_any", sxStrFn(sxSubstring))
	sxRegister("tolower_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) { return strings.ToLower(a.str(0, i)), true }))
	sxRegister("toupper_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) { return strings.ToUpper(a.str(0, i)), true }))
	sxRegister("strcat_variadic", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		var b strings.Builder
		for k := range a.ds {
			b.WriteString(a.str(k, i))
		}
		return b.String(), true
	}))
	sxRegister("strcat_delim_variadic", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		var b strings.Builder
		d := a.str(0, i)
		for k := 1; k < len(a.ds); k++ {
			if k > 1 {
				b.WriteString(d)
			}
			b.WriteString(a.str(k, i))
		}
		return b.String(), true
	}))
	sxRegister("strcat_array_dynamic", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		return strings.Join(sxStringsOf(a.val(0, i)), a.str(1, i)), true
	}))
	sxRegister("split_string", sxDynFn(sxSplit))
	sxRegister("replace_string_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		s, l := a.str(0, i), a.str(1, i)
		if l == "" {
			return s, true
		}
		return strings.ReplaceAll(s, l, a.str(2, i)), true
	}))
	sxRegister("replace_strings_string", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		return sxReplaceStrings(a.str(0, i), sxStringsOf(a.val(1, i)), sxArrayOf(a.val(2, i))), true
	}))
	sxRegister("replace_regex_string", sxWithErr(func(box *sxErrBox) ScalarKernel { return sxReplaceRegex(box, 0, 1, 2) }))
	sxRegister("replace_string", sxWithErr(func(box *sxErrBox) ScalarKernel { return sxReplaceRegex(box, 2, 0, 1) }))
	sxRegister("extract_string", sxExtract)
	sxRegister("extract_all_string", sxWithErr(func(box *sxErrBox) ScalarKernel { return sxExtractAll(box, false) }))
	sxRegister("extract_all_groups_string", sxWithErr(func(box *sxErrBox) ScalarKernel { return sxExtractAll(box, true) }))
	sxRegister("indexof_any", sxWithErr(func(box *sxErrBox) ScalarKernel { return sxIndexOf(box, false) }))
	sxRegister("indexof_regex_any", sxWithErr(func(box *sxErrBox) ScalarKernel { return sxIndexOf(box, true) }))
	sxRegister("countof_string", sxWithErr(sxCountOf))
	sxRegister("reverse_any", sxStrFn(func(a *sxRowArgs, i int) (string, bool) { return sxReverse(a.str(0, i)), true }))
	sxRegister("trim_string", sxWithErr(func(box *sxErrBox) ScalarKernel { return sxTrim(box, true, true) }))
	sxRegister("trim_start_string", sxWithErr(func(box *sxErrBox) ScalarKernel { return sxTrim(box, true, false) }))
	sxRegister("trim_end_string", sxWithErr(func(box *sxErrBox) ScalarKernel { return sxTrim(box, false, true) }))
	sxRegister("strrep_any", sxStrFn(func(a *sxRowArgs, i int) (string, bool) {
		k, ok := a.int(1, i)
		if !ok || k <= 0 {
			return "", ok
		}
		if k > 1024 {
			k = 1024
		}
		parts := make([]string, k)
		for j := range parts {
			parts[j] = a.str(0, i)
		}
		return strings.Join(parts, a.str(2, i)), true
	}))
	sxRegister("strcmp_string", sxLongFn(func(a *sxRowArgs, i int) (int64, bool) {
		return int64(strings.Compare(a.str(0, i), a.str(1, i))), true
	}))
	sxRegister("has_any_index_any", sxLongFn(func(a *sxRowArgs, i int) (int64, bool) {
		s := a.str(0, i)
		for k, t := range sxStringsOf(a.val(1, i)) {
			if sxHas(s, t, false) {
				return int64(k), true
			}
		}
		return -1, true
	}))
	sxRegister("translate_string", sxStrFn(sxTranslate))
	sxRegister("unicode_codepoints_from_string_string", sxDynFn(func(a *sxRowArgs, i int) any {
		s := a.str(0, i)
		out := make([]any, 0, len(s))
		for _, r := range s {
			out = append(out, int64(r))
		}
		return out
	}))
	sxRegister("unicode_codepoints_to_string_variadic", sxCodepointsToString)
	sxRegister("isascii_string", sxBoolFn(func(a *sxRowArgs, i int) (bool, bool) { return sxIsASCII(a.str(0, i)), true }))
	sxRegister("isutf8_string", sxBoolFn(func(a *sxRowArgs, i int) (bool, bool) { return utf8.ValidString(a.str(0, i)), true }))
	sxRegister("parse_command_line_string", sxDynFn(func(a *sxRowArgs, i int) any {
		out := sxCommandLineWindows(a.str(0, i))
		if out == nil {
			out = []string{}
		}
		return out
	}))
}
