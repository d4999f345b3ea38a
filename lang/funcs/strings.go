package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// String and regular-expression functions. Arguments documented by Kusto
// as "converted to string" accept any scalar (the kernel applies tostring).

func init() {
	str := types.Set(types.String)
	strDyn := types.Set(types.String, types.Dynamic)
	anyK := types.AnyScalar
	integral := types.Integral
	dyn := types.Set(types.Dynamic)
	S, L, B, D := Fixed(types.String), Fixed(types.Long), Fixed(types.Bool), Fixed(types.Dynamic)
	arg := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks} }
	opt := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks, Optional: true} }
	cst := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks, Const: true} }
	one := func(name, doc, example string, res Result, args ...Arg) {
		Register(&Func{Name: name, Kind: Scalar, Doc: doc, Example: example, Overloads: []*Overload{
			{ID: name + "_" + sxKindsID(args), Args: args, Result: res},
		}})
	}
	variadic := func(name, doc, example string, res Result, args ...Arg) {
		Register(&Func{Name: name, Kind: Scalar, Doc: doc, Example: example, Overloads: []*Overload{
			{ID: name + "_variadic", Args: args, Variadic: true, Result: res},
		}})
	}

	one("strlen", "number of characters (Unicode code points) in a string", `strlen("hello") == 5`, L, arg("source", strDyn))
	one("string_size", "size of a string in bytes (UTF-8)", `string_size("hello") == 5`, L, arg("source", strDyn))
	one("substring", "part of a string from a (0-based) character index, optionally of a given length", `substring("ABCD", 1, 2) == "BC"`, S,
		arg("source", anyK), arg("startingIndex", integral), opt("length", integral))
	one("tolower", "lower-cased string", `tolower("Hello") == "hello"`, S, arg("source", strDyn))
	one("toupper", "upper-cased string", `toupper("Hello") == "HELLO"`, S, arg("source", strDyn))
	variadic("strcat", "concatenates 1 to 64 values converted to strings", `strcat("a", 1) == "a1"`, S, arg("value", anyK))
	variadic("strcat_delim", "concatenates 2 to 64 values with a delimiter", `strcat_delim("-", "a", "b") == "a-b"`, S, arg("delimiter", str), arg("value", anyK))
	one("strcat_array", "concatenates the elements of a dynamic array with a delimiter", `strcat_array(dynamic([1, 2]), "-") == "1-2"`, S,
		arg("array", dyn), arg("delimiter", str))
	one("split", "splits a string by a delimiter into a dynamic array, optionally picking one element", `split("a,b", ",") == ["a","b"]`, D,
		arg("source", strDyn), arg("delimiter", str), opt("requestedIndex", integral))
	one("replace_string", "replaces every occurrence of a string with another", `replace_string("cat cat", "cat", "dog")`, S,
		arg("text", strDyn), arg("lookup", str), arg("rewrite", str))
	one("replace_strings", "replaces several strings at once (lookups and rewrites as dynamic arrays)", `replace_strings(s, dynamic(["a"]), dynamic(["b"]))`, S,
		arg("text", strDyn), arg("lookups", dyn), arg("rewrites", dyn))
	one("replace_regex", "replaces every match of a regular expression (\\1 refers to a capture group)", `replace_regex("ab", "(a)", @"\1\1")`, S,
		arg("source", strDyn), cst("lookup_regex", str), arg("rewrite_pattern", str))
	one("replace", "deprecated form of replace_regex with the source last", `replace("(a)", @"\1\1", "ab")`, S,
		cst("regex", str), arg("rewrite", str), arg("text", strDyn))
	Register(&Func{Name: "extract", Kind: Scalar, Doc: "the text of a capture group of the first regex match, optionally converted to a type",
		Example: `extract("x=([0-9]+)", 1, s)`, Overloads: []*Overload{{
			ID: "extract_string",
			Args: []Arg{cst("regex", str), arg("captureGroup", integral), arg("source", anyK),
				{Name: "typeLiteral", Types: anyK, Optional: true, Const: true}},
			Result: func(args []types.Kind) types.Kind {
				if len(args) >= 4 && args[3] != types.Unknown && args[3] != types.Null {
					return args[3]
				}
				return types.String
			},
		}}})
	Register(&Func{Name: "extract_all", Aliases: []string{"extractall"}, Kind: Scalar, Doc: "all matches of a regex (or of its capture groups) as a dynamic array",
		Example: `extract_all(@"(\d+)", s)`, Overloads: []*Overload{
			{ID: "extract_all_string", Args: []Arg{cst("regex", str), arg("source", strDyn)}, Result: D},
			{ID: "extract_all_groups_string", Args: []Arg{cst("regex", str), cst("captureGroups", dyn), arg("source", strDyn)}, Result: D},
		}})
	one("indexof", "0-based character index of the n-th occurrence of a string, -1 when absent", `indexof("abcdefg", "cde") == 2`, L,
		arg("source", anyK), arg("lookup", anyK), opt("start_index", integral), opt("length", integral), opt("occurrence", integral))
	one("indexof_regex", "0-based character index of the n-th regex match, -1 when absent", `indexof_regex("abcabc", @"a.c") == 0`, L,
		arg("source", anyK), cst("lookup", str), opt("start", integral), opt("length", integral), opt("occurrence", integral))
	one("countof", "number of (overlapping, for kind normal) occurrences of a string or regex", `countof("aaa", "a") == 3`, L,
		arg("source", strDyn), arg("search", str), Arg{Name: "kind", Types: str, Optional: true, Const: true})
	one("reverse", "the characters of a value converted to string, in reverse order", `reverse("abc") == "cba"`, S, arg("value", anyK))
	for _, f := range []string{"trim", "trim_start", "trim_end"} {
		one(f, "removes leading and/or trailing matches of a regular expression", f+`(@"[^\w]+", s)`, S, cst("regex", str), arg("source", anyK))
	}
	one("strrep", "repeats a value (converted to string) a number of times, optionally with a delimiter", `strrep("ab", 2) == "abab"`, S,
		arg("value", anyK), arg("multiplier", integral), opt("delimiter", str))
	one("strcmp", "compares two strings: -1, 0 or 1", `strcmp("a", "b") == -1`, L, arg("string1", strDyn), arg("string2", strDyn))
	one("has_any_index", "index in an array of the first term found in the string (has semantics), or -1", `has_any_index("a b", dynamic(["b"])) == 0`, L,
		arg("source", anyK), arg("values", dyn))
	one("translate", "replaces characters by the characters at the same position of a replacement list", `translate("abc", "x", "abc") == "xxx"`, S,
		arg("searchList", str), arg("replacementList", str), arg("source", strDyn))
	Register(&Func{Name: "unicode_codepoints_from_string", Aliases: []string{"to_utf8"}, Kind: Scalar,
		Doc: "the Unicode code points of a string as a dynamic array", Example: `unicode_codepoints_from_string("Ab") == [65, 98]`,
		Overloads: []*Overload{{ID: "unicode_codepoints_from_string_string", Args: []Arg{arg("value", strDyn)}, Result: D}}})
	Register(&Func{Name: "unicode_codepoints_to_string", Aliases: []string{"make_string"}, Kind: Scalar,
		Doc: "the string made of Unicode code points (numbers or dynamic arrays of numbers)", Example: `unicode_codepoints_to_string(75, 117) == "Ku"`,
		Overloads: []*Overload{{ID: "unicode_codepoints_to_string_variadic", Args: []Arg{arg("values", types.Set(types.Int, types.Long, types.Dynamic))}, Variadic: true, Result: S}}})
	one("regex_quote", "escapes every regular-expression metacharacter of a string", `regex_quote("a.b") == @"a\.b"`, S, arg("string", strDyn))
	one("parse_csv", "splits one CSV record (quotes escape commas, quotes and line feeds) into a dynamic array of strings", `parse_csv("a,\"b,c\"")`, D, arg("csv_text", strDyn))
	one("isascii", "whether a string holds only ASCII characters", `isascii("abc")`, B, arg("value", strDyn))
	one("isutf8", "whether a string is valid UTF-8", `isutf8("abc")`, B, arg("value", strDyn))
	one("parse_command_line", "splits a command line into its arguments as a dynamic array (parser: \"windows\")", `parse_command_line("a \"b c\"", "windows")`, D,
		arg("command_line", strDyn), cst("parser", str))
}

// sxKindsID renders an overload ID suffix from the first argument's kinds.
func sxKindsID(args []Arg) string {
	if len(args) == 0 {
		return "none"
	}
	switch args[0].Types {
	case types.AnyScalar:
		return "any"
	case types.Set(types.String), types.Set(types.String, types.Dynamic):
		return "string"
	case types.Set(types.Dynamic):
		return "dynamic"
	case types.Integral:
		return "long"
	case types.Set(types.Guid, types.String):
		return "guid"
	}
	return "x"
}
