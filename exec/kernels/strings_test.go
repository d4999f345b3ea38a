package kernels

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Expected values come from the Kusto documentation examples
// (conformance/cases) unless noted.
func TestSxStringFunctions(t *testing.T) {
	const sec = int64(1e9)
	dt := int64(1508068800) * sec // 2017-10-15 12:00
	cases := []struct {
		id   string
		args []any
		want any
	}{
		{"strlen_string", []any{tS, "hello"}, int64(5)},
		{"strlen_string", []any{tS, "C\u0327edilla"}, int64(8)},
		{"string_size_string", []any{tS, "hello"}, int64(5)},
		{"string_size_string", []any{tS, "⒦⒰⒮⒯⒪"}, int64(15)},
		{"substring_any", []any{tS, "123456", tL, 1, tL, 2}, "23"},
		{"substring_any", []any{tS, "ABCD", tL, 2}, "CD"},
		{"substring_any", []any{tS, "ABCD", tL, 10}, ""},
		{"substring_any", []any{tS, "ÄBÇD", tL, 1, tL, 2}, "BÇ"},
		{"substring_any", []any{tL, 123456, tL, 0, tL, 3}, "123"},
		{"tolower_string", []any{tS, "HeLLo ÄÖ"}, "hello äö"},
		{"toupper_string", []any{tS, "hello"}, "HELLO"},
		{"strcat_variadic", []any{tS, "hello", tS, " ", tS, "world"}, "hello world"},
		{"strcat_variadic", []any{tS, "Te st", tL, 1, tS, "// $"}, "Te st1// $"},
		{"strcat_variadic", []any{tR, 1.5, tB, true, tDyn, `"x"`, tDyn, `[1,"a"]`}, `1.5truex[1,"a"]`},
		{"strcat_delim_variadic", []any{tS, "-", tS, "a", tL, 2, tS, "c"}, "a-2-c"},
		{"strcat_array_dynamic", []any{tDyn, "[1, 2, 3]", tS, "->"}, "1->2->3"},
		{"strcat_array_dynamic", []any{tDyn, "[1, 2, 3]", tS, `"`}, `1"2"3`},
		{"split_string", []any{tS, "aa_bb", tS, "_"}, `["aa","bb"]`},
		{"split_string", []any{tS, "aaa_bbb_ccc", tS, "_", tL, 1}, `["bbb"]`},
		{"split_string", []any{tS, "", tS, "_"}, `[""]`},
		{"split_string", []any{tS, "a__b", tS, "_"}, `["a","","b"]`},
		{"split_string", []any{tS, "aabbcc", tS, "bb", tL, 5}, `[]`},
		{"replace_string_string", []any{tS, "A magic trick can turn a cat into a dog", tS, "cat", tS, "hamster"}, "A magic trick can turn a hamster into a dog"},
		{"replace_string_string", []any{tS, "abc", tS, "", tS, "x"}, "abc"},
		{"replace_strings_string", []any{tS, "A magic trick can turn a cat into a dog", tDyn, `["turn", " into a dog"]`, tDyn, `["disappear", ""]`}, "A magic trick can disappear a cat"},
		{"replace_strings_string", []any{tS, "This is an example of using replace_strings()", tDyn, `["This", "is"]`, tDyn, `["This", "was"]`}, "This was an example of using replace_strings()"},
		{"replace_strings_string", []any{tS, "This is an example of using replace_strings()", tDyn, `["is", "This"]`, tDyn, `["was", "This"]`}, "Thwas was an example of using replace_strings()"},
		{"replace_strings_string", []any{tS, "This is an example of using replace_strings()", tDyn, `["This", "is"]`, tDyn, `[12345, "was"]`}, "This was an example of using replace_strings()"},
		{"replace_regex_string", []any{tS, "Number is 123", tS, `([0-9]+)`, tS, `<\1>`}, "Number is <123>"},
		{"replace_regex_string", []any{tS, "a.b", tS, `\.`, tS, `$`}, "a$b"},
		{"replace_string", []any{tS, `is (\w+)`, tS, `was \1`, tS, "this is it"}, "thwas is it"},
		{"extract_string", []any{tS, "User: ([^,]+)", tL, 1, tS, "User: James, Email: James@example.com, Age: 29"}, "James"},
		{"extract_string", []any{tS, `Email: (\S+),`, tL, 1, tS, "User: David, Age: 35"}, ""},
		{"extract_string", []any{tS, `\d+`, tL, 0, tS, "User: David, Age: 35"}, "35"},
		{"extract_string", []any{tS, `-(\d{2})-`, tL, 1, tS, "15-12-2024", tI, nil}, int64(12)},
		{"extract_string", []any{tS, `x=(\d+)`, tL, 1, tS, "y=1", tL, nil}, nil},
		{"extract_string", []any{tS, `(\d+\.\d+)`, tL, 1, tS, "v 2.5", tR, nil}, 2.5},
		{"extract_string", []any{tS, `t=(\S+)`, tL, 1, tS, "t=01:02:03", tTS, nil}, int64(3723) * sec},
		{"extract_all_string", []any{tS, `([\da-f]{2})`, tS, "82b8be2d-dfa7-4bd1-8f63-24ad26d31449"}, `["82","b8","be","2d","df","a7","4b","d1","8f","63","24","ad","26","d3","14","49"]`},
		{"extract_all_string", []any{tS, `(\w)(\w+)(\w)`, tS, "82b8be2d-dfa7-4bd1-8f63-24ad26d31449"}, `[["8","2b8be2","d"],["d","fa","7"],["4","bd","1"],["8","f6","3"],["2","4ad26d3144","9"]]`},
		{"extract_all_groups_string", []any{tS, `(\w)(\w+)(\w)`, tDyn, `[1,3]`, tS, "82b8be2d-dfa7-4bd1-8f63-24ad26d31449"}, `[["8","d"],["d","7"],["4","1"],["8","3"],["2","9"]]`},
		{"extract_all_groups_string", []any{tS, `(?P<first>\w)(\w+)(\w)`, tDyn, `["first"]`, tS, "abc-def"}, `["a","d"]`},
		{"extract_all_string", []any{tS, `\d+`, tS, "a1b22"}, `["1","22"]`},
		{"extract_all_string", []any{tS, `\d+`, tS, "none"}, nil},
		{"indexof_any", []any{tS, "abcdefg", tS, "cde"}, int64(2)},
		{"indexof_any", []any{tS, "abcdefg", tS, "cde", tL, 1, tL, 4}, int64(2)},
		{"indexof_any", []any{tS, "abcdefg", tS, "cde", tL, 1, tL, 2}, int64(-1)},
		{"indexof_any", []any{tS, "abcdefg", tS, "cde", tL, 3, tL, 4}, int64(-1)},
		{"indexof_any", []any{tS, "abcdefg", tS, "cde", tL, -5}, int64(2)},
		{"indexof_any", []any{tL, 1234567, tL, 5, tL, 1, tL, 4}, int64(4)},
		{"indexof_any", []any{tS, "abcdefg", tS, "cde", tL, 2, tL, -1}, int64(2)},
		{"indexof_any", []any{tS, "abcdefgabcdefg", tS, "cde", tL, 1, tL, 10, tL, 2}, int64(9)},
		{"indexof_any", []any{tS, "abcdefgabcdefg", tS, "cde", tL, 1, tL, -1, tL, 3}, int64(-1)},
		{"indexof_any", []any{tS, "äbcäbc", tS, "c"}, int64(2)},
		{"indexof_regex_any", []any{tS, "abcabc", tS, `a.c`}, int64(0)},
		{"indexof_regex_any", []any{tS, "abcabcdefg", tS, `a.c`, tL, 0, tL, 9, tL, 2}, int64(3)},
		{"indexof_regex_any", []any{tS, "abcabc", tS, `a.c`, tL, 1, tL, -1, tL, 2}, int64(-1)},
		{"indexof_regex_any", []any{tS, "ababaa", tS, `a.a`, tL, 0, tL, -1, tL, 2}, int64(-1)},
		{"indexof_regex_any", []any{tS, "abcabc", tS, `a|ab`, tL, -1}, nil},
		{"countof_string", []any{tS, "The cat sat on the mat", tS, "at"}, int64(3)},
		{"countof_string", []any{tS, "aaa", tS, "a"}, int64(3)},
		{"countof_string", []any{tS, "aaaa", tS, "aa"}, int64(3)},
		{"countof_string", []any{tS, "aaaa", tS, "aa", tS, "regex"}, int64(2)},
		{"countof_string", []any{tS, "abcbc", tS, "b.", tS, "regex"}, int64(2)},
		{"reverse_any", []any{tS, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, "ZYXWVUTSRQPONMLKJIHGFEDCBA"},
		{"reverse_any", []any{tL, 12345}, "54321"},
		{"reverse_any", []any{tR, 123.45}, "54.321"},
		{"reverse_any", []any{tDT, dt}, "Z0000000.00:00:21T51-01-7102"},
		{"reverse_any", []any{tTS, 3 * 3600 * sec}, "00:00:30"},
		{"reverse_any", []any{tS, "añb"}, "bña"},
		{"trim_string", []any{tS, "--", tS, "--https://bing.com--"}, "https://bing.com"},
		{"trim_string", []any{tS, `[^\w]+`, tS, "-  Te st1// $"}, "Te st1"},
		{"trim_start_string", []any{tS, "https://", tS, "https://bing.com"}, "bing.com"},
		{"trim_start_string", []any{tS, `[^\w]+`, tS, "-  Te st1// $"}, "Te st1// $"},
		{"trim_end_string", []any{tS, `[^\w]+`, tS, "-  Te st1// $"}, "-  Te st1"},
		{"trim_string", []any{tS, " ", tS, "   x  "}, "x"},
		{"strrep_any", []any{tS, "ABC", tL, 2}, "ABCABC"},
		{"strrep_any", []any{tL, 123, tL, 3, tS, "."}, "123.123.123"},
		{"strrep_any", []any{tTS, 3 * sec, tL, 2, tS, " "}, "00:00:03 00:00:03"},
		{"strcmp_string", []any{tS, "ABC", tS, "ABC"}, int64(0)},
		{"strcmp_string", []any{tS, "abc", tS, "ABC"}, int64(1)},
		{"strcmp_string", []any{tS, "ABC", tS, "abc"}, int64(-1)},
		{"strcmp_string", []any{tS, "abcde", tS, "abc"}, int64(1)},
		{"has_any_index_any", []any{tS, "this is an example", tDyn, `["this", "example"]`}, int64(0)},
		{"has_any_index_any", []any{tS, "this is an example", tDyn, `["not", "example"]`}, int64(1)},
		{"has_any_index_any", []any{tS, "this is an example", tDyn, `["xample"]`}, int64(-1)},
		{"translate_string", []any{tS, "abc", tS, "x", tS, "abc"}, "xxx"},
		{"translate_string", []any{tS, "abc", tS, "", tS, "ab"}, ""},
		{"translate_string", []any{tS, "krasp", tS, "otsku", tS, "spark"}, "kusto"},
		{"unicode_codepoints_from_string_string", []any{tS, "⒦⒰⒮⒯⒪"}, "[9382,9392,9390,9391,9386]"},
		{"unicode_codepoints_to_string_variadic", []any{tL, 75, tL, 117, tL, 115, tL, 116, tL, 111}, "Kusto"},
		{"unicode_codepoints_to_string_variadic", []any{tDyn, "[75, 117, 115, 116, 111]"}, "Kusto"},
		{"unicode_codepoints_to_string_variadic", []any{tDyn, "[75, 117, 115]", tL, 116, tL, 111}, "Kusto"},
		{"unicode_codepoints_to_string_variadic", []any{tL, 75, tL, 10, tL, 117}, "K\nu"},
		{"regex_quote_string", []any{tS, "(so$me.Te^xt)"}, `\(so\$me\.Te\^xt\)`},
		{"parse_csv_string", []any{tS, `aa,"b,b,b",cc,"Escaping quotes: ""Title""","line1` + "\n" + `line2"`}, `["aa","b,b,b","cc","Escaping quotes: \"Title\"","line1\nline2"]`},
		{"parse_csv_string", []any{tS, "record1,a,b,c\nrecord2,x,y,z"}, `["record1","a","b","c"]`},
		{"isascii_string", []any{tS, "some string"}, true},
		{"isascii_string", []any{tS, "é"}, false},
		{"isutf8_string", []any{tS, "é"}, true},
		{"isutf8_string", []any{tS, "\xff"}, false},
		{"parse_command_line_string", []any{tS, `echo "hello world!"`, tS, "windows"}, `["echo","hello world!"]`},
		{"parse_command_line_string", []any{tS, `a\\\"b "c d" e\\"f g"`, tS, "windows"}, `["a\\\"b","c d","e\\f g"]`},
		{"parse_command_line_string", []any{tS, `  `, tS, "windows"}, `[]`},
	}
	for _, c := range cases {
		sxtEq(t, fmt.Sprint(c.id, c.args), sxtOne(t, c.id, c.args...), c.want)
	}
}

func TestSxStringFunctionsColumns(t *testing.T) {
	// extract over a column, with a constant pattern
	out, meta := sxtCall(t, "extract_string", func(mem memory.Allocator) []Datum {
		return []Datum{sxtSc(mem, tS, `Age: (\d+)`), sxtSc(mem, tL, 1), sxtCol(mem, tS, "User: James, Age: 29", "none", nil)}
	})
	sxtEq(t, "extract column", out, []any{"29", "", ""})
	if meta.Scalar || meta.Kind != tS {
		t.Errorf("meta %+v", meta)
	}
	// strcat over columns of different kinds
	out, _ = sxtCall(t, "strcat_variadic", func(mem memory.Allocator) []Datum {
		return []Datum{sxtSc(mem, tS, "-  "), sxtCol(mem, tL, 1, 2, nil), sxtSc(mem, tS, "//")}
	})
	sxtEq(t, "strcat column", out, []any{"-  1//", "-  2//", "-  //"})
	// invalid regex is an error
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, id := range []string{"replace_regex_string", "extract_all_string", "trim_string", "countof_string", "indexof_regex_any"} {
		k, err := Scalar(id)
		if err != nil {
			t.Fatal(err)
		}
		var args []Datum
		switch id {
		case "replace_regex_string":
			args = []Datum{sxtSc(mem, tS, "x"), sxtSc(mem, tS, "("), sxtSc(mem, tS, "y")}
		case "extract_all_string", "trim_string":
			args = []Datum{sxtSc(mem, tS, "("), sxtSc(mem, tS, "x")}
		case "countof_string":
			args = []Datum{sxtSc(mem, tS, "x"), sxtSc(mem, tS, "("), sxtSc(mem, tS, "regex")}
		case "indexof_regex_any":
			args = []Datum{sxtSc(mem, tS, "x"), sxtSc(mem, tS, "(")}
		}
		if d, err := k(&Ctx{Mem: mem}, args, 1); err == nil {
			t.Errorf("%s with an invalid regex: want an error", id)
			d.Release()
		}
		for _, a := range args {
			a.Release()
		}
	}
}

func TestSxStringEdgeCases(t *testing.T) {
	const huge = int64(1) << 62
	sxtEq(t, "substring huge length", sxtOne(t, "substring_any", tS, "abcdef", tL, 2, tL, huge), "cdef")
	sxtEq(t, "substring negative start", sxtOne(t, "substring_any", tS, "abcdef", tL, -3, tL, 2), "ab")
	sxtEq(t, "indexof huge length", sxtOne(t, "indexof_any", tS, "abcdef", tS, "ef", tL, 1, tL, huge), int64(4))
	sxtEq(t, "indexof start past end", sxtOne(t, "indexof_any", tS, "abc", tS, "c", tL, 10), int64(-1))
	sxtEq(t, "indexof occurrence 0", sxtOne(t, "indexof_any", tS, "abc", tS, "c", tL, 0, tL, -1, tL, 0), nil)
	sxtEq(t, "strrep negative", sxtOne(t, "strrep_any", tS, "ab", tL, -1), "")
	sxtEq(t, "codepoints invalid", sxtOne(t, "unicode_codepoints_to_string_variadic", tL, -5), "\uFFFD")
}

// sxtRefHas is a reference implementation of has: tokenise both sides
// into maximal alphanumeric runs and look for the pattern's terms as a
// consecutive run with the same separators.
func sxtRefHas(s, p string) bool {
	ls, lp := []rune(strings.ToLower(s)), []rune(strings.ToLower(p))
	isAl := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for i := 0; i+len(lp) <= len(ls); i++ {
		if string(ls[i:i+len(lp)]) != string(lp) {
			continue
		}
		if len(lp) > 0 && isAl(lp[0]) && i > 0 && isAl(ls[i-1]) {
			continue
		}
		j := i + len(lp)
		if len(lp) > 0 && isAl(lp[len(lp)-1]) && j < len(ls) && isAl(ls[j]) {
			continue
		}
		return true
	}
	return len(lp) == 0
}

func TestSxHasMatchesReference(t *testing.T) {
	alphabet := []string{"a", "B", "1", "-", ".", " ", "é", "É", "_"}
	seed := uint64(7)
	rnd := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			seed = seed*6364136223846793005 + 1442695040888963407
			b.WriteString(alphabet[(seed>>33)%uint64(len(alphabet))])
		}
		return b.String()
	}
	for i := 0; i < 20000; i++ {
		s, p := rnd(int(seed>>60)+1), rnd(int(seed>>61)%3+1)
		if got, want := sxHas(s, p, false), sxtRefHas(s, p); got != want {
			t.Fatalf("%q has %q = %v, want %v", s, p, got, want)
		}
	}
}
