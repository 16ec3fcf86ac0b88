package coreutils

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/itchyny/gojq"
)

type jqOpts struct {
	raw, join, compact, tab, nullInput, slurp, rawInput, exitStatus, sortKeys, ascii bool
	indent                                                                           int
	filter                                                                           string
	haveFilter                                                                       bool
	files                                                                            []string
	names                                                                            []string
	values                                                                           []any
	named                                                                            map[string]any
	positional                                                                       []any
}

// jq runs a jq program (github.com/itchyny/gojq) over JSON inputs.
func jq(ctx context.Context, env *Env, args []string) int {
	o := &jqOpts{indent: 2, named: map[string]any{}, positional: []any{}}
	keys := newJQKeyOrder()
	keys.record([]string{"positional", "named"})
	decodeArg := func(s string) (any, error) {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		v, err := jqDecode(d, keys)
		if err != nil {
			return nil, err
		}
		if _, err := d.Token(); err != io.EOF {
			return nil, errors.New("trailing data")
		}
		return v, nil
	}
	posMode := "" // "", "args", "jsonargs"
	needArgs := func(i, n int, flag string) bool {
		if i+n >= len(args) {
			env.Errorf("jq", "error: %s takes %s", flag, map[int]string{1: "one parameter", 2: "two parameters (e.g. --arg varname value)"}[n])
			fmt.Fprintln(env.Stderr, "Use jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq")
			return false
		}
		return true
	}
	addVar := func(name string, v any) {
		o.names = append(o.names, "$"+name)
		o.values = append(o.values, v)
		o.named[name] = v
	}
	endOpts := false
	for i := 1; i < len(args); i++ {
		a := args[i]
		if endOpts || len(a) < 2 || a[0] != '-' {
			if !o.haveFilter {
				o.filter, o.haveFilter = a, true
				continue
			}
			switch posMode {
			case "args":
				o.positional = append(o.positional, a)
			case "jsonargs":
				v, err := decodeArg(a)
				if err != nil {
					env.Errorf("jq", "Invalid JSON text passed to --jsonargs")
					return 2
				}
				o.positional = append(o.positional, v)
			default:
				o.files = append(o.files, a)
			}
			continue
		}
		if a == "--" {
			endOpts = true
			continue
		}
		if strings.HasPrefix(a, "--") {
			switch a {
			case "--raw-output":
				o.raw = true
			case "--join-output":
				o.raw, o.join = true, true
			case "--compact-output":
				o.compact = true
			case "--tab":
				o.tab = true
			case "--null-input":
				o.nullInput = true
			case "--slurp":
				o.slurp = true
			case "--raw-input":
				o.rawInput = true
			case "--exit-status":
				o.exitStatus = true
			case "--sort-keys":
				o.sortKeys = true
			case "--ascii-output":
				o.ascii = true
			case "--color-output", "--monochrome-output", "--unbuffered", "--seq", "--stream-errors":
			case "--indent":
				if !needArgs(i, 1, a) {
					return 2
				}
				i++
				n, err := strconv.Atoi(args[i])
				if err != nil || n < 0 || n > 7 {
					env.Errorf("jq", "Cannot indent more than 7 characters")
					return 2
				}
				o.indent = n
			case "--arg":
				if !needArgs(i, 2, a) {
					return 2
				}
				addVar(args[i+1], args[i+2])
				i += 2
			case "--argjson":
				if !needArgs(i, 2, a) {
					return 2
				}
				v, err := decodeArg(args[i+2])
				if err != nil {
					env.Errorf("jq", "Invalid JSON text passed to --argjson")
					fmt.Fprintln(env.Stderr, "Use jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq")
					return 2
				}
				addVar(args[i+1], v)
				i += 2
			case "--slurpfile", "--rawfile":
				if !needArgs(i, 2, a) {
					return 2
				}
				data, err := readAllInput(ctx, env, args[i+2])
				if err != nil {
					env.Errorf("jq", "error: Could not open %s: %s", args[i+2], textErrText(err))
					return 2
				}
				if a == "--rawfile" {
					addVar(args[i+1], string(data))
				} else {
					vals, err := jqDecodeAll(bytes.NewReader(data), keys)
					if err != nil {
						env.Errorf("jq", "Bad JSON in --slurpfile %s %s: %s", args[i+1], args[i+2], err)
						return 2
					}
					addVar(args[i+1], vals)
				}
				i += 2
			case "--args":
				posMode = "args"
			case "--jsonargs":
				posMode = "jsonargs"
			default:
				env.Errorf("jq", "Unknown option: %s", a)
				fmt.Fprintln(env.Stderr, "Use jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq")
				return 2
			}
			continue
		}
		for _, c := range a[1:] {
			switch c {
			case 'r':
				o.raw = true
			case 'j':
				o.raw, o.join = true, true
			case 'c':
				o.compact = true
			case 'n':
				o.nullInput = true
			case 's':
				o.slurp = true
			case 'R':
				o.rawInput = true
			case 'e':
				o.exitStatus = true
			case 'S':
				o.sortKeys = true
			case 'a':
				o.ascii = true
			case 'C', 'M':
			default:
				env.Errorf("jq", "Unknown option: %s", a)
				fmt.Fprintln(env.Stderr, "Use jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq")
				return 2
			}
		}
	}
	if !o.haveFilter {
		fmt.Fprintln(env.Stderr, "Usage:\tjq [OPTIONS] FILTER [FILES...]")
		return 2
	}
	named := map[string]any{}
	var namedOrder []string
	for _, n := range o.names {
		k := strings.TrimPrefix(n, "$")
		if _, dup := named[k]; !dup {
			namedOrder = append(namedOrder, k)
		}
		named[k] = o.named[k]
	}
	keys.record(namedOrder)
	o.names = append(o.names, "$ARGS")
	o.values = append(o.values, map[string]any{"positional": o.positional, "named": named})
	q, err := gojq.Parse(o.filter)
	if err != nil {
		env.Errorf("jq", "error: %s", err)
		env.Errorf("jq", "1 compile error")
		return 3
	}
	keys.recordProgram(o.filter)
	in := &jqInputs{ctx: ctx, env: env, files: o.files, raw: o.rawInput, keys: keys}
	if len(in.files) == 0 {
		in.files = []string{"-"}
	}
	code, err := gojq.Compile(q,
		gojq.WithVariables(o.names),
		gojq.WithInputIter(in),
		gojq.WithEnvironLoader(func() []string {
			if env.Environ != nil {
				return env.Environ()
			}
			return nil
		}),
	)
	if err != nil {
		env.Errorf("jq", "error: %s", err)
		env.Errorf("jq", "1 compile error")
		return 3
	}
	out := bufio.NewWriterSize(env.Stdout, textBufSize)
	defer out.Flush()
	enc := &jqEncoder{w: out, indent: o.indent, tab: o.tab, ascii: o.ascii}
	if !o.sortKeys {
		enc.keys = keys
	}
	if o.compact {
		enc.indent = -1
	}
	if o.tab {
		enc.indent = 1
	}
	status := 0
	var last any
	produced := false
	run := func(v any) bool {
		iter := code.RunWithContext(ctx, v, o.values...)
		for {
			r, ok := iter.Next()
			if !ok {
				return true
			}
			if err, isErr := r.(error); isErr {
				var he *gojq.HaltError
				if errors.As(err, &he) {
					if hv := he.Value(); hv != nil {
						out.Flush()
						if s, ok := hv.(string); ok {
							fmt.Fprint(env.Stderr, s)
						} else {
							var b bytes.Buffer
							(&jqEncoder{w: bufio.NewWriter(&b), indent: -1}).encodeFlush(hv)
							fmt.Fprintln(env.Stderr, b.String())
						}
					}
					status = he.ExitCode()
					return false
				}
				out.Flush()
				fmt.Fprintf(env.Stderr, "jq: error (at %s): %s\n", in.position(), jqErrText(err))
				status = 5
				if ctx.Err() != nil {
					return false
				}
				continue
			}
			produced, last = true, r
			if s, ok := r.(string); ok && o.raw {
				out.WriteString(s)
			} else {
				enc.encode(r)
			}
			if !o.join {
				out.WriteByte('\n')
			}
		}
	}
	switch {
	case o.nullInput:
		run(nil)
	case o.slurp:
		if o.rawInput {
			var b strings.Builder
			for _, f := range in.files {
				data, err := readAllInput(ctx, env, f)
				if err != nil {
					env.Errorf("jq", "error: Could not open %s: %s", f, textErrText(err))
					in.failed = 2
					continue
				}
				b.Write(data)
			}
			in.files = nil
			if in.failed == 0 {
				run(b.String())
			}
		} else {
			var all []any = []any{}
			for {
				v, ok := in.Next()
				if !ok {
					break
				}
				if _, isErr := v.(error); isErr {
					continue
				}
				all = append(all, v)
			}
			if in.failed == 0 {
				run(all)
			}
		}
	default:
		for {
			v, ok := in.Next()
			if !ok {
				break
			}
			if _, isErr := v.(error); isErr {
				break
			}
			if !run(v) {
				break
			}
		}
	}
	if in.failed != 0 {
		return in.failed
	}
	if status != 0 {
		return status
	}
	if o.exitStatus {
		if !produced {
			return 4
		}
		if last == nil || last == false {
			return 1
		}
	}
	return 0
}

func jqErrText(err error) string {
	return err.Error()
}

func jqDecodeAll(r io.Reader, ko *jqKeyOrder) ([]any, error) {
	d := json.NewDecoder(r)
	d.UseNumber()
	vals := []any{}
	for {
		v, err := jqDecode(d, ko)
		if err != nil {
			if err == io.EOF {
				return vals, nil
			}
			return nil, err
		}
		vals = append(vals, v)
	}
}

// jqKeyOrder remembers the order in which object keys were seen in the
// inputs and in the program text, so that output objects keep jq's insertion
// order where it can be recovered (gojq itself keeps objects as maps).
type jqKeyOrder struct {
	exact map[string][]string
	rank  map[string]int
	next  int
}

func newJQKeyOrder() *jqKeyOrder {
	return &jqKeyOrder{exact: map[string][]string{}, rank: map[string]int{}}
}

func jqKeySig(keys []string) string {
	s := append([]string(nil), keys...)
	sort.Strings(s)
	return strings.Join(s, "\x00")
}

func (k *jqKeyOrder) record(keys []string) {
	if k == nil {
		return
	}
	sig := jqKeySig(keys)
	if _, ok := k.exact[sig]; !ok {
		k.exact[sig] = keys
	}
	for _, key := range keys {
		if _, ok := k.rank[key]; !ok {
			k.rank[key] = k.next
			k.next++
		}
	}
}

// recordProgram records the keys of object constructions in a program.
func (k *jqKeyOrder) recordProgram(src string) {
	var keys []string
	for _, m := range jqObjKeyRE.FindAllStringSubmatch(src, -1) {
		key := m[1]
		if strings.HasPrefix(key, `"`) {
			if u, err := strconv.Unquote(key); err == nil {
				key = u
			}
		}
		keys = append(keys, key)
	}
	for _, key := range keys {
		if _, ok := k.rank[key]; !ok {
			k.rank[key] = k.next
			k.next++
		}
	}
}

var jqObjKeyRE = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\]|\\.)*")\s*:`)

// order returns the keys of an object in output order.
func (k *jqKeyOrder) order(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	if k == nil {
		return keys
	}
	if o, ok := k.exact[jqKeySig(keys)]; ok {
		return o
	}
	sort.SliceStable(keys, func(i, j int) bool {
		ri, iok := k.rank[keys[i]]
		rj, jok := k.rank[keys[j]]
		switch {
		case iok && jok:
			return ri < rj
		case iok:
			return true
		}
		return false
	})
	return keys
}

// jqDecode decodes one JSON value from d, recording key order.
func jqDecode(d *json.Decoder, ko *jqKeyOrder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	v, err := jqDecodeRest(d, ko, tok)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return v, err
}

func jqDecodeRest(d *json.Decoder, ko *jqKeyOrder, tok json.Token) (any, error) {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			arr := []any{}
			for d.More() {
				v, err := jqDecode(d, ko)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		case '{':
			obj := map[string]any{}
			var keys []string
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := jqDecode(d, ko)
				if err != nil {
					return nil, err
				}
				if _, dup := obj[key]; !dup {
					keys = append(keys, key)
				}
				obj[key] = v
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			ko.record(keys)
			return obj, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return tok, nil
}

// jqInputs yields the input values of all files, for the main loop and for
// the input and inputs builtins.
type jqInputs struct {
	ctx     context.Context
	env     *Env
	files   []string
	raw     bool
	name    string
	dec     *json.Decoder
	lr      *lineReader
	closer  io.Closer
	failed  int
	lines   int
	pending *string
	keys    *jqKeyOrder
}

func (in *jqInputs) position() string {
	name := in.name
	if name == "-" || name == "" {
		name = "<stdin>"
	}
	return fmt.Sprintf("%s:%d", name, in.lines)
}

// Next implements gojq.Iter.
func (in *jqInputs) Next() (any, bool) {
	for {
		if in.ctx.Err() != nil {
			return nil, false
		}
		if in.dec == nil && in.lr == nil {
			if len(in.files) == 0 {
				if in.pending != nil {
					p := *in.pending
					in.pending = nil
					return p, true
				}
				return nil, false
			}
			name := in.files[0]
			in.files = in.files[1:]
			r, err := openInput(in.ctx, in.env, name)
			if err != nil {
				in.env.Errorf("jq", "error: Could not open %s: %s", name, textErrText(err))
				in.failed = 2
				continue
			}
			in.name, in.closer = name, r
			if in.raw {
				in.lr = newLineReader(r)
			} else {
				in.dec = json.NewDecoder(r)
				in.dec.UseNumber()
			}
		}
		if in.raw {
			line, nl, ok, _ := in.lr.next()
			if !ok {
				in.closer.Close()
				in.lr = nil
				continue
			}
			in.lines++
			if in.pending != nil {
				line = *in.pending + line
				in.pending = nil
			}
			if !nl {
				// jq -R joins an unterminated last line with the next file.
				in.pending = &line
				continue
			}
			return line, true
		}
		v, err := jqDecode(in.dec, in.keys)
		if err == io.EOF {
			in.closer.Close()
			in.dec = nil
			continue
		}
		if err != nil {
			in.env.Errorf("jq", "error (at %s): %s", in.position(), err)
			in.failed = 2
			in.closer.Close()
			in.dec = nil
			in.files = nil
			return err, true
		}
		return v, true
	}
}

// jqEncoder writes JSON as jq does: two-space indent, sorted keys.
type jqEncoder struct {
	w      *bufio.Writer
	indent int // -1 for compact
	tab    bool
	ascii  bool
	depth  int
	keys   *jqKeyOrder
}

func (e *jqEncoder) encodeFlush(v any) {
	e.encode(v)
	e.w.Flush()
}

func (e *jqEncoder) newline() {
	if e.indent < 0 {
		return
	}
	e.w.WriteByte('\n')
	if e.tab {
		e.w.WriteString(strings.Repeat("\t", e.depth))
	} else {
		e.w.WriteString(strings.Repeat(" ", e.depth*e.indent))
	}
}

func (e *jqEncoder) encode(v any) {
	switch v := v.(type) {
	case nil:
		e.w.WriteString("null")
	case bool:
		if v {
			e.w.WriteString("true")
		} else {
			e.w.WriteString("false")
		}
	case int:
		e.w.WriteString(strconv.Itoa(v))
	case float64:
		e.w.WriteString(jqFloat(v))
	case *big.Int:
		e.w.WriteString(v.String())
	case json.Number:
		e.w.WriteString(v.String())
	case string:
		e.str(v)
	case []any:
		if len(v) == 0 {
			e.w.WriteString("[]")
			return
		}
		e.w.WriteByte('[')
		e.depth++
		for i, x := range v {
			if i > 0 {
				e.w.WriteByte(',')
			}
			e.newline()
			e.encode(x)
		}
		e.depth--
		e.newline()
		e.w.WriteByte(']')
	case map[string]any:
		if len(v) == 0 {
			e.w.WriteString("{}")
			return
		}
		keys := e.keys.order(v)
		e.w.WriteByte('{')
		e.depth++
		for i, k := range keys {
			if i > 0 {
				e.w.WriteByte(',')
			}
			e.newline()
			e.str(k)
			e.w.WriteByte(':')
			if e.indent >= 0 {
				e.w.WriteByte(' ')
			}
			e.encode(v[k])
		}
		e.depth--
		e.newline()
		e.w.WriteByte('}')
	default:
		b, _ := gojq.Marshal(v)
		e.w.Write(b)
	}
}

func jqFloat(f float64) string {
	if math.IsNaN(f) {
		return "null"
	}
	f = math.Min(math.Max(f, -math.MaxFloat64), math.MaxFloat64)
	if f == math.Trunc(f) && math.Abs(f) < 1e17 {
		return strconv.FormatInt(int64(f), 10)
	}
	format := byte('f')
	if x := math.Abs(f); x != 0 && x < 1e-6 || x >= 1e21 {
		format = 'e'
	}
	s := strconv.FormatFloat(f, format, -1, 64)
	if format == 'e' {
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
	}
	return s
}

func (e *jqEncoder) str(s string) {
	const hex = "0123456789abcdef"
	w := e.w
	w.WriteByte('"')
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b == '"':
				w.WriteString(`\"`)
			case b == '\\':
				w.WriteString(`\\`)
			case b == '\n':
				w.WriteString(`\n`)
			case b == '\t':
				w.WriteString(`\t`)
			case b == '\r':
				w.WriteString(`\r`)
			case b == '\b':
				w.WriteString(`\b`)
			case b == '\f':
				w.WriteString(`\f`)
			case b < ' ' || b == 0x7f:
				w.WriteString(`\u00`)
				w.WriteByte(hex[b>>4])
				w.WriteByte(hex[b&0xf])
			default:
				w.WriteByte(b)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.WriteString(`\ufffd`)
		} else if e.ascii {
			if r > 0xffff {
				r1, r2 := utf16Surrogates(r)
				fmt.Fprintf(w, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(w, `\u%04x`, r)
			}
		} else {
			w.WriteString(s[i : i+size])
		}
		i += size
	}
	w.WriteByte('"')
}

func utf16Surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}
