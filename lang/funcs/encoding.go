package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// Encoding, hashing, compression and URL functions.

func init() {
	str := types.Set(types.String)
	strDyn := types.Set(types.String, types.Dynamic)
	anyK := types.AnyScalar
	integral := types.Integral
	S, L, D, G := Fixed(types.String), Fixed(types.Long), Fixed(types.Dynamic), Fixed(types.Guid)
	arg := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks} }
	opt := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks, Optional: true} }
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

	Register(&Func{Name: "base64_encode_tostring", Aliases: []string{"base64_encodestring"}, Kind: Scalar,
		Doc: "base64 of a string's UTF-8 bytes", Example: `base64_encode_tostring("Kusto") == "S3VzdG8="`,
		Overloads: []*Overload{{ID: "base64_encode_tostring_string", Args: []Arg{arg("string", strDyn)}, Result: S}}})
	Register(&Func{Name: "base64_decode_tostring", Aliases: []string{"base64_decodestring"}, Kind: Scalar,
		Doc: "decodes a base64 string to a UTF-8 string (empty when invalid)", Example: `base64_decode_tostring("S3VzdG8=") == "Kusto"`,
		Overloads: []*Overload{{ID: "base64_decode_tostring_string", Args: []Arg{arg("base64_string", strDyn)}, Result: S}}})
	one("base64_decode_toarray", "decodes a base64 string to a dynamic array of byte values", `base64_decode_toarray("S3VzdG8=")`, D, arg("base64_string", strDyn))
	one("base64_encode_fromarray", "base64 of a dynamic array of byte values", `base64_encode_fromarray(dynamic([75, 117]))`, S, arg("base64_string_array", types.Set(types.Dynamic)))
	one("base64_decode_toguid", "decodes a base64 string (16 bytes) to a guid", `base64_decode_toguid("8jMxriJurkmwahbmqbIS6w==")`, G, arg("base64_string", strDyn))
	one("base64_encode_fromguid", "base64 of a guid's 16 bytes", `base64_encode_fromguid(toguid("ae3133f2-6e22-49ae-b06a-16e6a9b212eb"))`, S, arg("guid", types.Set(types.Guid, types.String)))

	one("url_encode", "percent-encodes a URL (spaces as +)", `url_encode("a b/c") == "a+b%2fc"`, S, arg("url", strDyn))
	one("url_encode_component", "percent-encodes a URL component (spaces as %20)", `url_encode_component("a b") == "a%20b"`, S, arg("url", strDyn))
	one("url_decode", "decodes a percent-encoded URL", `url_decode("a%20b") == "a b"`, S, arg("encoded_url", strDyn))
	Register(&Func{Name: "parse_url", Aliases: []string{"parseurl"}, Kind: Scalar,
		Doc: "parts of an absolute URL as a dynamic bag: Scheme, Host, Port, Path, Username, Password, Query Parameters, Fragment", Example: `parse_url("https://h/p?a=1").Host`,
		Overloads: []*Overload{{ID: "parse_url_string", Args: []Arg{arg("url", strDyn)}, Result: D}}})
	Register(&Func{Name: "parse_urlquery", Aliases: []string{"parseurlquery"}, Kind: Scalar,
		Doc: "the parameters of a URL query string as a dynamic bag {\"Query Parameters\": {...}}", Example: `parse_urlquery("a=1&b=2")`,
		Overloads: []*Overload{{ID: "parse_urlquery_string", Args: []Arg{arg("query", strDyn)}, Result: D}}})
	one("parse_path", "parts of a file path as a dynamic bag: Scheme, RootPath, DirectoryPath, DirectoryName, Filename, Extension, AlternateDataStreamName", `parse_path(@"C:\temp\file.txt").Filename`, D, arg("path", strDyn))

	for _, name := range []string{"hash", "hash_xxhash64"} {
		one(name, "xxhash64 of a value, optionally modulo a number", name+`("World") == 1846988464401551951`, L, arg("source", anyK), opt("mod", integral))
	}
	one("hash_crc32", "CRC-32 of a value, optionally modulo a number", `hash_crc32("World")`, L, arg("source", anyK), opt("mod", integral))
	one("hash_sha256", "SHA-256 of a value (as text) in lower-case hex", `hash_sha256("World")`, S, arg("source", anyK))
	one("hash_sha1", "SHA-1 of a value (as text) in lower-case hex", `hash_sha1("World")`, S, arg("source", anyK))
	one("hash_md5", "MD5 of a value (as text) in lower-case hex", `hash_md5("World")`, S, arg("source", anyK))
	variadic("hash_combine", "combines two or more hash values", `hash_combine(hash("a"), hash("b"))`, L, arg("h", types.Set(types.Long, types.Int)))
	variadic("hash_many", "combined hash of several values", `hash_many("a", "b")`, L, arg("s", anyK))

	one("gzip_compress_to_base64_string", "gzip-compresses a string and encodes it in base64", `gzip_compress_to_base64_string("abc")`, S, arg("string", strDyn))
	one("gzip_decompress_from_base64_string", "decodes base64 and gunzips it to a string (empty when invalid)", `gzip_decompress_from_base64_string(s)`, S, arg("string", strDyn))
	one("zlib_compress_to_base64_string", "zlib-compresses a string and encodes it in base64", `zlib_compress_to_base64_string("abc")`, S, arg("string", strDyn))
	one("zlib_decompress_from_base64_string", "decodes base64 and inflates zlib data to a string (empty when invalid)", `zlib_decompress_from_base64_string(s)`, S, arg("string", strDyn))

	Register(&Func{Name: "new_guid", Kind: Scalar, Doc: "a random guid", Example: `new_guid()`,
		Overloads: []*Overload{{ID: "new_guid_none", Result: G}}})
	one("tohex", "hexadecimal text of an integer (two's complement for negatives), optionally zero-padded", `tohex(256) == "100"`, S,
		arg("value", integral), opt("minLength", integral))
	one("punycode_from_string", "encodes a string to Punycode (RFC 3492)", `punycode_from_string("académie-française") == "acadmie-franaise-npb1a"`, S, arg("input_string", strDyn))
	one("punycode_to_string", "decodes a Punycode string", `punycode_to_string("acadmie-franaise-npb1a") == "académie-française"`, S, arg("encoded_string", strDyn))
	one("punycode_domain_to_string", "encodes each non-ASCII label of a domain name as xn--<punycode>", `punycode_domain_to_string("艺术.com") == "xn--cqv902d.com"`, S, arg("domain", strDyn))
	one("punycode_domain_from_string", "decodes the xn-- labels of a domain name", `punycode_domain_from_string("xn--cqv902d.com") == "艺术.com"`, S, arg("encoded_domain", strDyn))
	_ = str
}
