package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"regexp"
	"strings"
)

// attachment is one attached file of a message.
type attachment struct {
	Name        string
	ContentType string
	Size        int64 // decoded size in bytes
}

// mimeWalk collects the attachments and the text of a message body.
type mimeWalk struct {
	atts  []attachment
	plain []string // text/plain bodies, decoded
	html  []string // text/html bodies, decoded (used when there is no plain text)
	probs []string // MIME structure problems
	parts int
}

// maxParts bounds the MIME parts walked in one message (a hostile message
// can nest thousands).
const maxParts = 1000

// maxText bounds the text kept for the quoted-header scan.
const maxText = 1 << 20

// walk reads one entity (its content type and transfer encoding from
// the header h) whose content is body.
func (w *mimeWalk) walk(h headerBlock, body []byte, depth int) {
	w.parts++
	if w.parts > maxParts || depth > 20 {
		if w.parts == maxParts+1 || depth == 21 {
			w.probs = append(w.probs, "MIME structure too deep or too large; the rest is not read")
		}
		return
	}
	ctRaw, _ := h.get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ctRaw)
	if ctRaw == "" {
		mediaType = "text/plain"
		if depth > 0 {
			if pct, ok := h.get("X-Parent-Multipart-Digest"); ok && pct == "1" {
				mediaType = "message/rfc822"
			}
		}
	} else if err != nil {
		// ParseMediaType rejects e.g. duplicate parameters but still
		// returns the media type when it could read it.
		if mediaType == "" {
			mediaType = strings.ToLower(strings.TrimSpace(strings.SplitN(ctRaw, ";", 2)[0]))
		}
		if params == nil {
			params = lenientParams(ctRaw)
		}
	}
	disp, dparams, _ := mime.ParseMediaType(headerValue(h, "Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeHeader(name)

	if strings.HasPrefix(mediaType, "multipart/") && disp != "attachment" {
		boundary := params["boundary"]
		if boundary == "" {
			w.probs = append(w.probs, fmt.Sprintf("%s part without a boundary parameter; read as text", mediaType))
			return
		}
		mr := multipart.NewReader(bytes.NewReader(body), boundary)
		n := 0
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				if n == 0 {
					w.probs = append(w.probs, fmt.Sprintf("%s part has no body parts (boundary %q not found)", mediaType, boundary))
				}
				return
			}
			if err != nil {
				w.probs = append(w.probs, fmt.Sprintf("%s part %d: %v", mediaType, n+1, cleanMultipartErr(err)))
				return
			}
			n++
			content, rerr := io.ReadAll(p)
			if rerr != nil {
				w.probs = append(w.probs, fmt.Sprintf("%s part %d: %v (missing closing boundary %q?)", mediaType, n, cleanMultipartErr(rerr), "--"+boundary+"--"))
			}
			var ph headerBlock
			for k, vs := range p.Header {
				for _, v := range vs {
					ph = append(ph, field{Name: k, Value: v})
				}
			}
			if mediaType == "multipart/digest" {
				if _, ok := ph.get("Content-Type"); !ok {
					ph = append(ph, field{Name: "X-Parent-Multipart-Digest", Value: "1"})
				}
			}
			w.walk(ph, content, depth+1)
			if rerr != nil {
				return
			}
		}
	}

	isAttachment := disp == "attachment" || name != "" || mediaType == "message/rfc822" && depth > 0
	if isAttachment && !(disp == "inline" && name == "" && strings.HasPrefix(mediaType, "text/")) {
		size, err := decodedSize(headerValue(h, "Content-Transfer-Encoding"), body)
		if err != nil {
			w.probs = append(w.probs, fmt.Sprintf("attachment %q: %v; size is the encoded size", name, err))
		}
		w.atts = append(w.atts, attachment{Name: name, ContentType: mediaType, Size: size})
		return
	}
	if mediaType == "text/plain" || mediaType == "text/html" {
		text, err := decodeText(headerValue(h, "Content-Transfer-Encoding"), params["charset"], body)
		if err != nil {
			w.probs = append(w.probs, fmt.Sprintf("%s body: %v", mediaType, err))
		}
		if len(text) > maxText {
			text = text[:maxText]
		}
		if mediaType == "text/plain" {
			w.plain = append(w.plain, text)
		} else {
			w.html = append(w.html, text)
		}
	}
}

func headerValue(h headerBlock, name string) string {
	v, _ := h.get(name)
	return v
}

// lenientParams reads name=value parameters of a header that
// mime.ParseMediaType rejected.
func lenientParams(v string) map[string]string {
	out := map[string]string{}
	for i, seg := range splitOutside(v, ';') {
		if i == 0 {
			continue
		}
		eq := strings.IndexByte(seg, '=')
		if eq <= 0 {
			continue
		}
		k := strings.ToLower(strings.TrimSpace(seg[:eq]))
		if _, dup := out[k]; !dup {
			out[k] = strings.Trim(strings.TrimSpace(seg[eq+1:]), `"`)
		}
	}
	return out
}

func cleanMultipartErr(err error) string {
	return strings.TrimPrefix(err.Error(), "multipart: ")
}

// transferDecoder returns a reader decoding content in the given
// Content-Transfer-Encoding.
func transferDecoder(cte string, body []byte) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Cleaner{b: body})
	case "quoted-printable":
		return quotedprintable.NewReader(bytes.NewReader(body))
	}
	return bytes.NewReader(body)
}

// decodedSize is the size of the decoded content (the encoded size when
// it does not decode, with the error).
func decodedSize(cte string, body []byte) (int64, error) {
	n, err := io.Copy(io.Discard, transferDecoder(cte, body))
	if err != nil {
		return int64(len(body)), err
	}
	return n, nil
}

// decodeText decodes a text part to UTF-8.
func decodeText(cte, charset string, body []byte) (string, error) {
	data, err := io.ReadAll(transferDecoder(cte, body))
	if err != nil && len(data) == 0 {
		data = body
	}
	if charset != "" {
		if r, cerr := charsetReader(charset, bytes.NewReader(data)); cerr == nil {
			if dec, derr := io.ReadAll(r); derr == nil {
				return toUTF8(string(dec)), err
			}
		}
	}
	return toUTF8(string(data)), err
}

// base64Cleaner drops the characters outside the base64 alphabet (line
// breaks, spaces) that mail bodies carry, so the decoder sees one stream.
type base64Cleaner struct {
	b []byte
	i int
}

func (c *base64Cleaner) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && c.i < len(c.b) {
		ch := c.b[c.i]
		c.i++
		if ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '+' || ch == '/' || ch == '=' {
			p[n] = ch
			n++
		}
	}
	if n == 0 && c.i >= len(c.b) {
		return 0, io.EOF
	}
	return n, nil
}

var (
	htmlBreak = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6]|hr|p|div)\b[^>]*>`)
	htmlDrop  = regexp.MustCompile(`(?is)<(style|script|head)\b.*?</(style|script|head)\s*>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// htmlText turns HTML into text with one line per block.
func htmlText(s string) string {
	s = htmlDrop.ReplaceAllString(s, "")
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, "")
	return strings.ReplaceAll(html.UnescapeString(s), "\u00a0", " ")
}
