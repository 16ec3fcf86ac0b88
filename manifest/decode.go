package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/wsbx/wsbx/providers"
)

// Formats accepted by [Parse].
const (
	FormatTOML = "toml"
	FormatJSON = "json"
)

// DecodeError locates a problem in a manifest file. It is the cause (Err) of
// the *providers.Error that [Load], [Parse] and [Manifest.Validate] return.
type DecodeError struct {
	File string // the file name, or "manifest.<format>" for Parse
	Line int    // 1-based line, 0 when unknown
	Key  string // the dotted key ("entries.\"src/a.go\".type"), "" when unknown
	Msg  string
}

// Error formats as "file:line: key K: msg".
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Key != "" {
		b.WriteString(": key ")
		b.WriteString(e.Key)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads a manifest file; the format comes from its extension (.toml or
// .json). It validates the result and sets BaseDir to the file's directory.
//
// # Errors
//
// CodeInvalidManifest for a file that cannot be read, has an unknown
// extension, is malformed, has unknown keys, keys that do not apply to an
// entry's type or values of the wrong type; CodeInvalidManifestPath for an
// absolute, escaping, duplicate or overlapping destination or path. The
// cause is a *DecodeError naming the file, the key and the line.
func Load(path string) (*Manifest, error) {
	var format string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		format = FormatTOML
	case ".json":
		format = FormatJSON
	default:
		return nil, decodeErr(providers.CodeInvalidManifest, path, 0, nil, "unknown manifest extension (want .toml or .json)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &providers.Error{Code: providers.CodeInvalidManifest, Op: "load_manifest", Target: path, Err: err}
	}
	m, err := parse(path, data, format)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(filepath.Dir(path)); err == nil {
		m.BaseDir = abs
	}
	return m, nil
}

// Parse decodes and validates a manifest in format (FormatTOML or
// FormatJSON). Errors name the input "manifest.toml" or "manifest.json".
//
// # Errors
//
// As [Load].
func Parse(data []byte, format string) (*Manifest, error) {
	format = strings.TrimPrefix(strings.ToLower(format), ".")
	return parse("manifest."+format, data, format)
}

func parse(name string, data []byte, format string) (*Manifest, error) {
	var (
		src *source
		err error
		m   Manifest
	)
	switch format {
	case FormatTOML:
		src, err = decodeTOML(name, data, &m)
	case FormatJSON:
		src, err = decodeJSON(name, data, &m)
	default:
		return nil, decodeErr(providers.CodeInvalidManifest, name, 0, nil, fmt.Sprintf("unknown manifest format %q (want toml or json)", format))
	}
	if err != nil {
		return nil, err
	}
	if err := validate(&m, src); err != nil {
		return nil, err
	}
	return &m, nil
}

// source is what validation knows about the decoded text: which keys were
// written and on which line.
type source struct {
	file   string
	keys   [][]string
	lineOf func(key []string) int
	// present maps a joined key to true for every key written.
	present map[string]bool
}

func (s *source) err(code providers.Code, key []string, format string, args ...any) error {
	line := 0
	if s.lineOf != nil && key != nil {
		line = s.lineOf(key)
	}
	return decodeErr(code, s.file, line, key, fmt.Sprintf(format, args...))
}

// childKeys returns the keys written directly under key, in order.
func (s *source) childKeys(key []string) []string {
	var out []string
	for _, k := range s.keys {
		if len(k) == len(key)+1 && slices.Equal(k[:len(key)], key) {
			out = append(out, k[len(key)])
		}
	}
	return out
}

func decodeErr(code providers.Code, file string, line int, key []string, msg string) error {
	k := ""
	if len(key) > 0 {
		k = toml.Key(key).String()
	}
	return &providers.Error{Code: code, Op: "parse_manifest", Target: file,
		Err: &DecodeError{File: file, Line: line, Key: k, Msg: msg}}
}

// tomlErrRE matches the plain errors of the TOML decoder for wrong types.
var tomlErrRE = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "(.*?)"\): (.*)$`)

func decodeTOML(name string, data []byte, m *Manifest) (*source, error) {
	text := string(data)
	src := &source{file: name, lineOf: func(key []string) int { return tomlLine(text, key) }}
	md, err := toml.Decode(text, m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, decodeErr(providers.CodeInvalidManifest, name, pe.Position.Line, splitKey(pe.LastKey), pe.Message)
		}
		if sm := tomlErrRE.FindStringSubmatch(err.Error()); sm != nil {
			line, _ := strconv.Atoi(sm[1])
			return nil, decodeErr(providers.CodeInvalidManifest, name, line, splitKey(sm[2]), sm[3])
		}
		return nil, decodeErr(providers.CodeInvalidManifest, name, 0, nil, err.Error())
	}
	src.present = map[string]bool{}
	for _, k := range md.Keys() {
		src.keys = append(src.keys, []string(k))
		src.present[joinKey(k)] = true
	}
	// Keys the exact-case schema does not know (the TOML decoder matches
	// field names case-insensitively, so this check comes first).
	for _, k := range src.keys {
		if bad := unknownKey(reflect.TypeFor[Manifest](), k, "toml"); bad != nil {
			return nil, src.err(providers.CodeInvalidManifest, bad, "unknown key")
		}
	}
	for _, k := range md.Undecoded() {
		if freeForm(k) {
			continue
		}
		return nil, src.err(providers.CodeInvalidManifest, k, "unknown key")
	}
	return src, nil
}

// freeForm reports whether key lies inside a free-form config table: a
// plugin's ([plugins.NAME.config]) or a plugin-defined entry's
// (entries.DEST.config).
func freeForm(key []string) bool {
	if len(key) >= 3 && key[0] == "plugins" && key[2] == "config" {
		return true
	}
	for i := 2; i < len(key); i++ {
		if key[i] == "config" && key[i-2] == "entries" {
			return true
		}
	}
	return false
}

// splitKey splits a dotted TOML key as printed by toml.Key.String.
func splitKey(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\\' && quoted && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '.' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

// lineProbe fails on purpose, so that the TOML decoder reports the position
// of the key it was decoding.
type lineProbe struct{}

var errProbe = errors.New("probe")

func (lineProbe) UnmarshalTOML(any) error { return errProbe }

// tomlLine returns the line on which key is defined, or 0.
func tomlLine(text string, key []string) int {
	if len(key) == 0 {
		return 0
	}
	var top map[string]toml.Primitive
	md, err := toml.Decode(text, &top)
	if err != nil {
		return 0
	}
	prim, ok := top[key[0]]
	for i := 1; ok && i < len(key); i++ {
		var next map[string]toml.Primitive
		if md.PrimitiveDecode(prim, &next) != nil {
			return 0
		}
		prim, ok = next[key[i]]
	}
	if !ok {
		return 0
	}
	var pe toml.ParseError
	if errors.As(md.PrimitiveDecode(prim, &lineProbe{}), &pe) {
		return pe.Position.Line
	}
	return 0
}

// jsonKey is one object key found in a JSON document.
type jsonKey struct {
	path       []string
	keyEnd     int64 // offset just after the key string
	valueStart int64
	valueEnd   int64
}

func decodeJSON(name string, data []byte, m *Manifest) (*source, error) {
	lineAt := func(off int64) int {
		off = min(max(off, 0), int64(len(data)))
		return bytes.Count(data[:off], []byte{'\n'}) + 1
	}
	keys, err := scanJSON(data)
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, decodeErr(providers.CodeInvalidManifest, name, lineAt(se.Offset), nil, se.Error())
		}
		var de *dupKeyError
		if errors.As(err, &de) {
			return nil, decodeErr(providers.CodeInvalidManifest, name, lineAt(de.off), de.path, "duplicate key")
		}
		return nil, decodeErr(providers.CodeInvalidManifest, name, 0, nil, err.Error())
	}
	byKey := make(map[string]*jsonKey, len(keys))
	src := &source{file: name, present: map[string]bool{}}
	for i := range keys {
		k := &keys[i]
		byKey[joinKey(k.path)] = k
		src.keys = append(src.keys, k.path)
		src.present[joinKey(k.path)] = true
	}
	src.lineOf = func(key []string) int {
		if k := byKey[joinKey(key)]; k != nil {
			return lineAt(k.keyEnd)
		}
		return 0
	}
	for _, k := range keys {
		if bad := unknownKey(reflect.TypeFor[Manifest](), k.path, "json"); bad != nil {
			return nil, src.err(providers.CodeInvalidManifest, bad, "unknown key")
		}
		// Values with their own decoders report no position: decode each
		// one here so an error names its key and line.
		if t := keyType(reflect.TypeFor[Manifest](), k.path, "json"); t != nil && reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
			raw := bytes.TrimLeft(data[k.valueStart:k.valueEnd], " \t\r\n:")
			if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
				return nil, src.err(providers.CodeInvalidManifest, k.path, "%v", err)
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(m); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			// The deepest key whose value holds the offset.
			var at *jsonKey
			for i := range keys {
				k := &keys[i]
				if k.valueStart <= ute.Offset && ute.Offset <= k.valueEnd && (at == nil || len(k.path) > len(at.path)) {
					at = k
				}
			}
			var key []string
			if at != nil {
				key = at.path
			}
			return nil, decodeErr(providers.CodeInvalidManifest, name, lineAt(ute.Offset), key,
				fmt.Sprintf("wrong type: a JSON %s where %s is expected", ute.Value, ute.Type))
		}
		return nil, decodeErr(providers.CodeInvalidManifest, name, 0, nil, err.Error())
	}
	return src, nil
}

type dupKeyError struct {
	path []string
	off  int64
}

func (e *dupKeyError) Error() string { return "duplicate key " + toml.Key(e.path).String() }

// scanJSON lists every object key of a JSON document with its offsets and
// refuses duplicate keys and trailing data. The top level must be an
// object.
func scanJSON(data []byte) ([]jsonKey, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var keys []jsonKey
	var value func(path []string, depth int) error
	value = func(path []string, depth int) error {
		if depth > 64 {
			return &json.SyntaxError{}
		}
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				p := append(slices.Clip(path), k)
				if seen[k] {
					return &dupKeyError{path: p, off: dec.InputOffset()}
				}
				seen[k] = true
				i := len(keys)
				keys = append(keys, jsonKey{path: p, keyEnd: dec.InputOffset(), valueStart: dec.InputOffset()})
				if err := value(p, depth+1); err != nil {
					return err
				}
				keys[i].valueEnd = dec.InputOffset()
			}
		case '[':
			for dec.More() {
				if err := value(path, depth+1); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	first := bytes.TrimLeft(data, " \t\r\n")
	if len(first) == 0 || first[0] != '{' {
		return nil, errors.New("a manifest must be a JSON object")
	}
	if err := value(nil, 0); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the manifest object")
	}
	return keys, nil
}

func joinKey(k []string) string { return strings.Join(k, "\x00") }

var (
	envValueType = reflect.TypeFor[EnvValue]()
	modeType     = reflect.TypeFor[Mode]()
)

// fieldByTag finds the struct field whose tag name (in tag) is exactly name.
func fieldByTag(t reflect.Type, tag, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		n, _, _ := strings.Cut(f.Tag.Get(tag), ",")
		if n != "" && n != "-" && n == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// keyType returns the Go type a key decodes into, or nil if unknown.
func keyType(t reflect.Type, key []string, tag string) reflect.Type {
	for _, k := range key {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t == envValueType:
			if k != "value" && k != "secret" {
				return nil
			}
			t = reflect.TypeFor[envTable]()
			f, _ := fieldByTag(t, tag, k)
			t = f.Type
		case t.Kind() == reflect.Struct:
			f, ok := fieldByTag(t, tag, k)
			if !ok {
				return nil
			}
			t = f.Type
		case t.Kind() == reflect.Map:
			t = t.Elem()
		case t.Kind() == reflect.Interface:
			return t
		default:
			return nil
		}
	}
	return t
}

// unknownKey returns the shortest prefix of key that the schema rooted at t
// does not define, or nil when key is known. Free-form values (interfaces)
// accept any key below them.
func unknownKey(t reflect.Type, key []string, tag string) []string {
	for i := range key {
		ft := keyType(t, key[:i+1], tag)
		if ft == nil {
			return key[:i+1]
		}
		if ft.Kind() == reflect.Interface {
			return nil
		}
	}
	return nil
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
