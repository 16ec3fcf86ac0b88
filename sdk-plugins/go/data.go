package wsbxplugin

import (
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"strconv"
	"unicode/utf8"

	"github.com/wsbx/wsbx/plugins/abi"
)

// write_file and import_archive carry a file or an archive as base64. In Go
// compiled to Wasm every loop iteration costs tens of nanoseconds (see
// check.go), and encoding/json reads a string byte by byte: a 10 MiB file
// took 5.5 s to decode. The host's plain form (abi.Marshal) is read from
// both ends instead: the short members from the front, the optional mode
// from the back, and the base64 between them is handed whole to
// encoding/base64, which refuses anything that is not base64, a quote
// included. Anything else goes to encoding/json.

// decodeWriteCall decodes a write_file request.
func decodeWriteCall(b []byte) (abi.WriteCall, error) {
	if vals, data, mode, ok := plainDataCall(b, "session", "path"); ok {
		return abi.WriteCall{Session: string(vals[0]), Path: string(vals[1]), Data: data, Mode: fs.FileMode(mode)}, nil
	}
	var c abi.WriteCall
	return c, json.Unmarshal(b, &c)
}

// decodeArchiveCall decodes an import_archive request.
func decodeArchiveCall(b []byte) (abi.ArchiveCall, error) {
	if vals, data, mode, ok := plainDataCall(b, "session"); ok && mode == 0 {
		return abi.ArchiveCall{Session: string(vals[0]), Data: data}, nil
	}
	var c abi.ArchiveCall
	return c, json.Unmarshal(b, &c)
}

// plainDataCall reads {"K1":"V1",…,"data":"BASE64"} or the same ending in
// ,"mode":N}: the string members named keys, in that order and without \u
// escapes, then the data, then an optional positive mode. It reports false
// on anything else.
func plainDataCall(b []byte, keys ...string) (vals [][]byte, data []byte, mode uint64, ok bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, nil, 0, false
	}
	scanBuf = scanBuf[:0]
	spans := make([][2]int, len(keys))
	i := 1
	for k, key := range keys {
		if !hasKey(b[i:], key) {
			return nil, nil, 0, false
		}
		start := len(scanBuf)
		j := plainValue(b, i+len(key)+3)
		if j < 0 || b[j] != ',' || !utf8.Valid(scanBuf[start:]) {
			return nil, nil, 0, false
		}
		spans[k] = [2]int{start, len(scanBuf)}
		i = j + 1
	}
	if !hasKey(b[i:], "data") || i+8 >= len(b) || b[i+7] != '"' {
		return nil, nil, 0, false
	}
	start := i + 8
	end := len(b) - 1 // the closing brace
	if digits := trailingDigits(b[start:end]); digits > 0 {
		n := b[end-digits : end]
		tail := end - digits - len(`,"mode":`)
		if n[0] == '0' || tail < start || string(b[tail:end-digits]) != `,"mode":` {
			return nil, nil, 0, false
		}
		var err error
		if mode, err = strconv.ParseUint(string(n), 10, 32); err != nil {
			return nil, nil, 0, false
		}
		end = tail
	}
	if end <= start || b[end-1] != '"' {
		return nil, nil, 0, false
	}
	enc := b[start : end-1]
	data = make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	n, err := base64.StdEncoding.Decode(data, enc)
	// encoding/base64 skips \r and \n, which JSON does not allow in a
	// string: then fewer bytes come out than the length promises.
	if err != nil || len(enc)%4 != 0 || n != len(enc)/4*3-padding(enc) {
		return nil, nil, 0, false
	}
	vals = make([][]byte, len(keys))
	for k, sp := range spans {
		vals[k] = scanBuf[sp[0]:sp[1]]
	}
	return vals, data[:n], mode, true
}

// padding counts the = that end enc.
func padding(enc []byte) int {
	n := 0
	for n < 2 && n < len(enc) && enc[len(enc)-1-n] == '=' {
		n++
	}
	return n
}

// hasKey reports whether b starts with "key":.
func hasKey(b []byte, key string) bool {
	return len(b) > len(key)+2 && b[0] == '"' && string(b[1:1+len(key)]) == key && b[1+len(key)] == '"' && b[2+len(key)] == ':'
}

// trailingDigits counts the ASCII digits at the end of b, up to 11: one
// more than a mode (a uint32) can have.
func trailingDigits(b []byte) int {
	n := 0
	for n < len(b) && n < 11 && b[len(b)-1-n] >= '0' && b[len(b)-1-n] <= '9' {
		n++
	}
	return n
}
