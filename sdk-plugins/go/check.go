package wsbxplugin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/wsbx/wsbx/plugins/abi"
)

// A capability check is the one call a host makes on every exec, read and
// write, so its request and decision skip encoding/json's reflection. Go
// code compiled to Wasm pays for each function it enters (wazero checks for
// a stopped call at every loop header, and Go's Wasm code opens a loop in
// every function): decoding the request with encoding/json took 70 µs,
// with fastjson 14 µs.

// checkParser is reused across calls: an instance serves one call at a time.
var checkParser fastjson.Parser

// decodeCheckRequest decodes a check request as encoding/json would decode
// it into an abi.CheckRequest: keys match case-insensitively, the last of
// repeated keys wins, null leaves a field empty, unknown keys are ignored,
// and invalid UTF-8 becomes U+FFFD. The three fields share one allocation
// (an allocation costs about 2 µs in Go compiled to Wasm).
func decodeCheckRequest(b []byte) (abi.CheckRequest, error) {
	var fields [3][]byte // op, session, subject
	if !scanPlainCheckRequest(b, &fields) {
		fields = [3][]byte{}
		if err := parseCheckRequest(b, &fields); err != nil {
			return abi.CheckRequest{}, err
		}
	}
	var all strings.Builder
	all.Grow(len(fields[0]) + len(fields[1]) + len(fields[2]))
	for _, f := range fields {
		all.Write(f)
	}
	s := all.String()
	var req abi.CheckRequest
	req.Op, s = s[:len(fields[0])], s[len(fields[0]):]
	req.Session, req.Subject = s[:len(fields[1])], s[len(fields[1]):]
	return req, nil
}

// scanBuf holds the values scanPlainCheckRequest unescapes; it is reused
// across calls.
var scanBuf []byte

// scanPlainCheckRequest reads the request as the host writes it
// (abi.Marshal): an object of string members with exactly spelled keys, no
// whitespace, valid UTF-8 and no \u escapes. It reports false on anything
// else, which parseCheckRequest then reads. It takes a tenth of the
// parser's time, which was most of a check's.
func scanPlainCheckRequest(b []byte, fields *[3][]byte) bool {
	if len(b) < 2 || b[0] != '{' {
		return false
	}
	if b[1] == '}' {
		return len(b) == 2
	}
	scanBuf = scanBuf[:0]
	var spans [3][2]int
	var seen [3]bool
	for i := 1; ; {
		f, j := plainKey(b, i)
		if f < 0 {
			return false
		}
		start := len(scanBuf)
		if j = plainValue(b, j); j < 0 || !utf8.Valid(scanBuf[start:]) {
			return false
		}
		spans[f], seen[f] = [2]int{start, len(scanBuf)}, true
		switch b[j] {
		case ',':
			i = j + 1
			continue
		case '}':
			if j+1 != len(b) {
				return false
			}
		default:
			return false
		}
		break
	}
	for f, sp := range spans {
		if seen[f] {
			fields[f] = scanBuf[sp[0]:sp[1]]
		}
	}
	return true
}

// plainKey reads `"op":`, `"session":` or `"subject":` at b[i:] and returns
// the field's index and the index after the colon, or -1.
func plainKey(b []byte, i int) (int, int) {
	if i >= len(b) || b[i] != '"' {
		return -1, -1
	}
	for j := i + 1; j+1 < len(b); j++ {
		if b[j] == '"' {
			if b[j+1] != ':' {
				return -1, -1
			}
			switch string(b[i+1 : j]) {
			case "op":
				return 0, j + 2
			case "session":
				return 1, j + 2
			case "subject":
				return 2, j + 2
			}
			return -1, -1
		}
	}
	return -1, -1
}

// plainValue appends the string at b[i:] to scanBuf, unescaping the
// one-letter escapes, and returns the index after its closing quote when
// another byte follows, or -1.
func plainValue(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		switch {
		case c == '"':
			if j+1 < len(b) {
				return j + 1
			}
			return -1
		case c < 0x20:
			return -1
		case c == '\\':
			if j++; j == len(b) {
				return -1
			}
			switch c = b[j]; c {
			case '"', '\\', '/':
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			default:
				return -1 // \u, left to the parser
			}
		}
		scanBuf = append(scanBuf, c)
	}
	return -1
}

// parseCheckRequest reads any JSON request with fastjson.
func parseCheckRequest(b []byte, fields *[3][]byte) error {
	v, err := checkParser.ParseBytes(b)
	if err != nil {
		return err
	}
	o, err := v.Object()
	if err != nil {
		return fmt.Errorf("check request: %w", err)
	}
	o.Visit(func(key []byte, v *fastjson.Value) {
		i := checkField(key)
		if err != nil || i < 0 {
			return
		}
		if v.Type() == fastjson.TypeNull {
			return // encoding/json leaves the field as it was
		}
		s, serr := v.StringBytes()
		if serr != nil {
			err = fmt.Errorf("check request: %s: %w", key, serr)
			return
		}
		fields[i] = validUTF8(s)
	})
	return err
}

// checkField returns the index in decodeCheckRequest's fields of the field
// that key names, or -1.
func checkField(key []byte) int {
	switch string(key) { // the host's own spelling, before case folding
	case "op":
		return 0
	case "session":
		return 1
	case "subject":
		return 2
	}
	switch {
	case bytes.EqualFold(key, []byte("op")):
		return 0
	case bytes.EqualFold(key, []byte("session")):
		return 1
	case bytes.EqualFold(key, []byte("subject")):
		return 2
	}
	return -1
}

// validUTF8 returns s with each byte that is not part of valid UTF-8
// replaced by U+FFFD, as encoding/json does.
func validUTF8(s []byte) []byte {
	if utf8.Valid(s) {
		return s
	}
	var b []byte
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		b = utf8.AppendRune(b, r) // RuneError for an invalid byte
		s = s[n:]
	}
	return b
}

// appendDecision appends d as JSON to dst.
func appendDecision(dst []byte, d abi.Decision) []byte {
	if d.Allow {
		dst = append(dst, `{"allow":true`...)
	} else {
		dst = append(dst, `{"allow":false`...)
	}
	if d.Reason != "" {
		reason, _ := json.Marshal(d.Reason) // a string always marshals
		dst = append(dst, `,"reason":`...)
		dst = append(dst, reason...)
	}
	return append(dst, '}')
}
