package coreutils

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/afero"
)

type awkKind uint8

const (
	kUninit awkKind = iota
	kNum
	kStr
	kStrNum
)

type awkVal struct {
	k awkKind
	n float64
	s string
}

func awkNum(n float64) awkVal { return awkVal{k: kNum, n: n} }
func awkStr(s string) awkVal  { return awkVal{k: kStr, s: s} }
func awkBool(b bool) awkVal {
	if b {
		return awkVal{k: kNum, n: 1}
	}
	return awkVal{k: kNum}
}

// awkStrNum makes a value from input data: numeric if it looks numeric.
func awkStrNum(s string) awkVal {
	if n, ok := awkLooksNumeric(s); ok {
		return awkVal{k: kStrNum, n: n, s: s}
	}
	return awkVal{k: kStr, s: s}
}

func awkLooksNumeric(s string) (float64, bool) {
	t := strings.Trim(s, " \t\n\r\f\v")
	if t == "" {
		return 0, false
	}
	i := 0
	if t[i] == '+' || t[i] == '-' {
		i++
	}
	digits := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
		digits++
	}
	if i < len(t) && t[i] == '.' {
		i++
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		j := i + 1
		if j < len(t) && (t[j] == '+' || t[j] == '-') {
			j++
		}
		if j < len(t) && t[j] >= '0' && t[j] <= '9' {
			for j < len(t) && t[j] >= '0' && t[j] <= '9' {
				j++
			}
			i = j
		}
	}
	if i != len(t) {
		return 0, false
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return n, true
		}
		return 0, false
	}
	return n, true
}

// awkStrToNum converts the longest numeric prefix of s (like strtod).
func awkStrToNum(s string) float64 {
	t := strings.TrimLeft(s, " \t\n\r\f\v")
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	start := i
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i < len(t) && t[i] == '.' {
		i++
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
	}
	if i == start || i == start+1 && t[start] == '.' {
		return 0
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		j := i + 1
		if j < len(t) && (t[j] == '+' || t[j] == '-') {
			j++
		}
		if j < len(t) && t[j] >= '0' && t[j] <= '9' {
			for j < len(t) && t[j] >= '0' && t[j] <= '9' {
				j++
			}
			i = j
		}
	}
	n, _ := strconv.ParseFloat(t[:i], 64)
	return n
}

type awkCell struct {
	v     awkVal
	arr   map[string]awkVal
	isArr bool
}

type awkCtrl int

const (
	cNone awkCtrl = iota
	cBreak
	cContinue
	cNext
	cNextFile
	cExit
	cReturn
)

// awkError is a fatal runtime error.
type awkError struct{ msg string }

func (e *awkError) Error() string { return e.msg }

type awkOutput struct {
	w *bufio.Writer
	f afero.File
	// pipe holds the output of `print | "cmd"` until the pipe is closed.
	pipe *bytes.Buffer
	cmd  string
}

type awkRecReader struct {
	br     *bufio.Reader
	closer io.Closer
	all    []string // records for regex RS
	allSet bool
}

type awkInterp struct {
	ctx         context.Context
	env         *Env
	prog        *awkProgram
	globals     map[string]*awkCell
	frames      [][]*awkCell
	arrayParams map[string][]bool

	record  string
	fields  []string
	nf      int
	split   bool
	recFS   string
	nr, fnr float64

	out     *bufio.Writer
	outputs map[string]*awkOutput
	inputs  map[string]*awkRecReader

	argIdx  int
	cur     *awkRecReader
	curName string
	noMore  bool

	rng      *rand.Rand
	seed     float64
	reCache  map[string]*regexp.Regexp
	retVal   awkVal
	exitCode int
	steps    int
	sawFile  bool
}

func (in *awkInterp) fail(format string, args ...any) {
	panic(&awkError{fmt.Sprintf(format, args...)})
}

func (in *awkInterp) regex(src string) *regexp.Regexp {
	if re, ok := in.reCache[src]; ok {
		return re
	}
	re, err := compileREMode(src, true, "(?s)", reAwk)
	if err != nil {
		in.fail("regular expression compile failed (%s)\n%s", err, src)
	}
	if len(in.reCache) > 500 {
		in.reCache = map[string]*regexp.Regexp{}
	}
	in.reCache[src] = re
	return re
}

func (in *awkInterp) global(name string) *awkCell {
	c := in.globals[name]
	if c == nil {
		c = &awkCell{}
		in.globals[name] = c
	}
	return c
}

func (in *awkInterp) cell(v *aVar) *awkCell {
	if v.local >= 0 {
		fr := in.frames[len(in.frames)-1]
		return fr[v.local]
	}
	return in.global(v.name)
}

func (in *awkInterp) getStr(name string) string {
	return in.toStr(in.getVar(&aVar{name: name, local: -1}))
}

// Values

func (in *awkInterp) numToStr(n float64, format string) string {
	if n == math.Trunc(n) && math.Abs(n) < 1e16 {
		return strconv.FormatInt(int64(n), 10)
	}
	if math.IsNaN(n) {
		if math.Signbit(n) {
			return "-nan"
		}
		return "nan"
	}
	if math.IsInf(n, 1) {
		return "inf"
	}
	if math.IsInf(n, -1) {
		return "-inf"
	}
	return awkSprintf(in, format, []awkVal{awkNum(n)})
}

func (in *awkInterp) toStr(v awkVal) string {
	switch v.k {
	case kStr, kStrNum:
		return v.s
	case kNum:
		return in.numToStr(v.n, in.getStrFast("CONVFMT", "%.6g"))
	}
	return ""
}

func (in *awkInterp) toOutStr(v awkVal) string {
	if v.k == kNum {
		return in.numToStr(v.n, in.getStrFast("OFMT", "%.6g"))
	}
	return in.toStr(v)
}

func (in *awkInterp) getStrFast(name, def string) string {
	c := in.globals[name]
	if c == nil {
		return def
	}
	if c.v.k == kStr || c.v.k == kStrNum {
		return c.v.s
	}
	return in.toStr(c.v)
}

func toNum(v awkVal) float64 {
	switch v.k {
	case kNum, kStrNum:
		return v.n
	case kStr:
		return awkStrToNum(v.s)
	}
	return 0
}

func toBool(v awkVal) bool {
	switch v.k {
	case kNum, kStrNum:
		return v.n != 0
	case kStr:
		return v.s != ""
	}
	return false
}

func (in *awkInterp) compare(a, b awkVal) int {
	numA := a.k == kNum || a.k == kStrNum || a.k == kUninit
	numB := b.k == kNum || b.k == kStrNum || b.k == kUninit
	if numA && numB {
		x, y := toNum(a), toNum(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(in.toStr(a), in.toStr(b))
}

// Fields

func (in *awkInterp) setRecord(s string) {
	in.record = s
	in.split = false
	in.recFS = in.getStrFast("FS", " ")
}

func (in *awkInterp) ensureSplit() {
	if in.split {
		return
	}
	in.fields = in.splitWith(in.record, in.recFS, in.getStrFast("RS", "\n") == "")
	in.nf = len(in.fields)
	in.split = true
}

func (in *awkInterp) splitWith(s, fs string, paragraph bool) []string {
	if s == "" {
		return nil
	}
	switch {
	case fs == " ":
		return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' })
	case paragraph:
		var res []string
		for _, line := range strings.Split(s, "\n") {
			res = append(res, in.splitWith(line, fs, false)...)
		}
		return res
	case fs == "":
		res := make([]string, 0, len(s))
		for _, r := range s {
			res = append(res, string(r))
		}
		return res
	case len(fs) == 1 && fs != "\\":
		return strings.Split(s, fs)
	case fs == "\t":
		return strings.Split(s, "\t")
	}
	return in.regex(fs).Split(s, -1)
}

func (in *awkInterp) getField(i int) awkVal {
	if i == 0 {
		return awkStrNum(in.record)
	}
	if i < 0 {
		in.fail("trying to access out of range field %d", i)
	}
	in.ensureSplit()
	if i > in.nf {
		return awkVal{}
	}
	return awkStrNum(in.fields[i-1])
}

func (in *awkInterp) setField(i int, s string) {
	if i == 0 {
		in.setRecord(s)
		return
	}
	if i < 0 || i > awkMaxFields {
		in.fail("trying to access out of range field %d", i)
	}
	in.ensureSplit()
	for in.nf < i {
		in.fields = append(in.fields, "")
		in.nf++
	}
	in.fields[i-1] = s
	in.rebuild()
}

func (in *awkInterp) rebuild() {
	in.record = strings.Join(in.fields[:in.nf], in.getStrFast("OFS", " "))
}

func (in *awkInterp) setNF(n int) {
	in.ensureSplit()
	if n < 0 {
		n = 0
	}
	if n > awkMaxFields {
		in.fail("NF set to too large a value (%d)", n)
	}
	for len(in.fields) < n {
		in.fields = append(in.fields, "")
	}
	in.fields = in.fields[:n]
	in.nf = n
	in.rebuild()
}

// Variables

func (in *awkInterp) getVar(v *aVar) awkVal {
	if v.local < 0 {
		switch v.name {
		case "NF":
			in.ensureSplit()
			return awkNum(float64(in.nf))
		case "NR":
			return awkNum(in.nr)
		case "FNR":
			return awkNum(in.fnr)
		}
	}
	c := in.cell(v)
	if c.isArr {
		in.fail("can't use array %s in scalar context", v.name)
	}
	return c.v
}

func (in *awkInterp) setVar(v *aVar, val awkVal) {
	if v.local < 0 {
		switch v.name {
		case "NF":
			in.setNF(int(toNum(val)))
			return
		case "NR":
			in.nr = toNum(val)
			return
		case "FNR":
			in.fnr = toNum(val)
			return
		}
	}
	c := in.cell(v)
	if c.isArr {
		in.fail("can't assign to %s; it's an array name.", v.name)
	}
	c.v = val
}

func (in *awkInterp) array(v *aVar) map[string]awkVal {
	c := in.cell(v)
	if !c.isArr {
		if c.v.k != kUninit {
			in.fail("can't use scalar %s as array", v.name)
		}
		c.isArr = true
		c.arr = map[string]awkVal{}
	}
	return c.arr
}

func (in *awkInterp) indexKey(idx []awkExpr) string {
	if len(idx) == 1 {
		return in.toStr(in.eval(idx[0]))
	}
	parts := make([]string, len(idx))
	for i, e := range idx {
		parts[i] = in.toStr(in.eval(e))
	}
	return strings.Join(parts, in.getStrFast("SUBSEP", "\x1c"))
}

func (in *awkInterp) assign(lhs awkExpr, val awkVal) {
	switch l := lhs.(type) {
	case *aVar:
		in.setVar(l, val)
	case *aField:
		in.setField(int(toNum(in.eval(l.idx))), in.toStr(val))
	case *aIndex:
		arr := in.array(l.arr)
		arr[in.indexKey(l.idx)] = val
	case *aGroup:
		in.assign(l.e, val)
	default:
		in.fail("assignment to non-lvalue")
	}
}

// Evaluation

func (in *awkInterp) tick() {
	in.steps++
	if in.steps&1023 == 0 {
		if err := in.ctx.Err(); err != nil {
			panic(&awkError{"interrupted"})
		}
		if outFailed(in.out) {
			panic(&awkError{"write error"})
		}
	}
}

func (in *awkInterp) eval(e awkExpr) awkVal {
	switch x := e.(type) {
	case *aNum:
		return awkNum(x.v)
	case *aStr:
		return awkStr(x.s)
	case *aRegex:
		return awkBool(in.regex(x.re).MatchString(in.record))
	case *aGroup:
		return in.eval(x.e)
	case *aVar:
		return in.getVar(x)
	case *aField:
		return in.getField(int(toNum(in.eval(x.idx))))
	case *aIndex:
		arr := in.array(x.arr)
		k := in.indexKey(x.idx)
		v, ok := arr[k]
		if !ok {
			arr[k] = awkVal{}
		}
		return v
	case *aAssign:
		var val awkVal
		if x.op == "=" {
			val = in.eval(x.rhs)
			if val.k == kUninit {
				val = awkVal{}
			}
		} else {
			r := toNum(in.eval(x.rhs))
			l := toNum(in.eval(x.lhs))
			val = awkNum(in.arith(x.op[:1], l, r))
		}
		in.assign(x.lhs, val)
		return val
	case *aCond:
		if toBool(in.eval(x.c)) {
			return in.eval(x.a)
		}
		return in.eval(x.b)
	case *aBin:
		switch x.op {
		case "&&":
			return awkBool(toBool(in.eval(x.l)) && toBool(in.eval(x.r)))
		case "||":
			return awkBool(toBool(in.eval(x.l)) || toBool(in.eval(x.r)))
		case "concat":
			l, r := in.toStr(in.eval(x.l)), in.toStr(in.eval(x.r))
			if len(l)+len(r) > awkMaxString {
				in.fail("string too long (over %d bytes)", awkMaxString)
			}
			return awkStr(l + r)
		case "<", "<=", "==", "!=", ">", ">=":
			c := in.compare(in.eval(x.l), in.eval(x.r))
			switch x.op {
			case "<":
				return awkBool(c < 0)
			case "<=":
				return awkBool(c <= 0)
			case "==":
				return awkBool(c == 0)
			case "!=":
				return awkBool(c != 0)
			case ">":
				return awkBool(c > 0)
			}
			return awkBool(c >= 0)
		}
		l := toNum(in.eval(x.l))
		r := toNum(in.eval(x.r))
		return awkNum(in.arith(x.op, l, r))
	case *aUnary:
		v := in.eval(x.e)
		switch x.op {
		case "!":
			return awkBool(!toBool(v))
		case "-":
			return awkNum(-toNum(v))
		}
		return awkNum(toNum(v))
	case *aIncDec:
		old := toNum(in.eval(x.lhs))
		n := old + 1
		if x.op == "--" {
			n = old - 1
		}
		in.assign(x.lhs, awkNum(n))
		if x.pre {
			return awkNum(n)
		}
		return awkNum(old)
	case *aIn:
		arr := in.array(x.arr)
		_, ok := arr[in.indexKey(x.idx)]
		return awkBool(ok)
	case *aGroupList:
		in.fail("syntax error: grouping list outside of 'in'")
	case *aMatch:
		s := in.toStr(in.eval(x.l))
		var re *regexp.Regexp
		if r, ok := x.r.(*aRegex); ok {
			re = in.regex(r.re)
		} else {
			re = in.regex(in.toStr(in.eval(x.r)))
		}
		return awkBool(re.MatchString(s) != x.neg)
	case *aBuiltin:
		return in.builtin(x)
	case *aCall:
		return in.call(x)
	case *aGetline:
		return in.getline(x)
	}
	in.fail("unknown expression %T", e)
	return awkVal{}
}

func (in *awkInterp) arith(op string, l, r float64) float64 {
	switch op {
	case "+":
		return l + r
	case "-":
		return l - r
	case "*":
		return l * r
	case "/":
		if r == 0 {
			in.fail("division by zero")
		}
		return l / r
	case "%":
		if r == 0 {
			in.fail("division by zero in %%")
		}
		return math.Mod(l, r)
	case "^":
		return math.Pow(l, r)
	}
	in.fail("unknown operator %s", op)
	return 0
}

func (in *awkInterp) call(x *aCall) awkVal {
	f := in.prog.funcs[x.name]
	if len(in.frames) > 10000 {
		in.fail("function call nesting too deep")
	}
	frame := make([]*awkCell, len(f.params))
	arrParams := in.arrayParams[x.name]
	for i := range frame {
		if i >= len(x.args) {
			frame[i] = &awkCell{}
			continue
		}
		arg := x.args[i]
		if g, ok := arg.(*aGroup); ok {
			arg = g.e
		}
		if v, ok := arg.(*aVar); ok && !(v.local < 0 && (v.name == "NF" || v.name == "NR" || v.name == "FNR")) {
			c := in.cell(v)
			if c.isArr || (c.v.k == kUninit && arrParams[i]) {
				if !c.isArr {
					c.isArr, c.arr = true, map[string]awkVal{}
				}
				frame[i] = c
				continue
			}
			frame[i] = &awkCell{v: c.v}
			continue
		}
		frame[i] = &awkCell{v: in.eval(arg)}
	}
	in.frames = append(in.frames, frame)
	in.retVal = awkVal{}
	ctrl := in.execBlock(f.body)
	in.frames = in.frames[:len(in.frames)-1]
	if ctrl == cExit {
		panic(awkExitSignal{})
	}
	if ctrl == cNext {
		panic(awkNextSignal{})
	}
	r := in.retVal
	in.retVal = awkVal{}
	return r
}

// awkExitSignal and awkNextSignal carry exit and next out of functions.
type awkExitSignal struct{}
type awkNextSignal struct{}

// Statements

func (in *awkInterp) execBlock(b sBlock) awkCtrl {
	for _, s := range b {
		if c := in.exec(s); c != cNone {
			return c
		}
	}
	return cNone
}

func (in *awkInterp) exec(s awkStmt) awkCtrl {
	in.tick()
	switch x := s.(type) {
	case sBlock:
		return in.execBlock(x)
	case *sExpr:
		in.eval(x.e)
	case *sPrint:
		in.print(x)
	case *sIf:
		if toBool(in.eval(x.c)) {
			return in.exec(x.then)
		} else if x.els != nil {
			return in.exec(x.els)
		}
	case *sWhile:
		for toBool(in.eval(x.c)) {
			in.tick()
			c := in.exec(x.body)
			if c == cBreak {
				break
			}
			if c != cNone && c != cContinue {
				return c
			}
		}
	case *sDo:
		for {
			in.tick()
			c := in.exec(x.body)
			if c == cBreak {
				break
			}
			if c != cNone && c != cContinue {
				return c
			}
			if !toBool(in.eval(x.c)) {
				break
			}
		}
	case *sFor:
		if x.init != nil {
			in.exec(x.init)
		}
		for x.c == nil || toBool(in.eval(x.c)) {
			in.tick()
			c := in.exec(x.body)
			if c == cBreak {
				break
			}
			if c != cNone && c != cContinue {
				return c
			}
			if x.post != nil {
				in.exec(x.post)
			}
		}
	case *sForIn:
		arr := in.array(x.arr)
		keys := make([]string, 0, len(arr))
		for k := range arr {
			keys = append(keys, k)
		}
		awkSortKeys(keys)
		for _, k := range keys {
			if _, ok := arr[k]; !ok {
				continue
			}
			in.assign(x.v, awkStrNum(k))
			c := in.exec(x.body)
			if c == cBreak {
				break
			}
			if c != cNone && c != cContinue {
				return c
			}
		}
	case sNext:
		return cNext
	case sNextfile:
		return cNextFile
	case sBreak:
		return cBreak
	case sContinue:
		return cContinue
	case *sExit:
		if x.e != nil {
			in.exitCode = int(toNum(in.eval(x.e)))
		}
		return cExit
	case *sReturn:
		if x.e != nil {
			in.retVal = in.eval(x.e)
		}
		return cReturn
	case *sDelete:
		arr := in.array(x.arr)
		if x.idx == nil {
			for k := range arr {
				delete(arr, k)
			}
		} else {
			delete(arr, in.indexKey(x.idx))
		}
	default:
		in.fail("unknown statement %T", s)
	}
	return cNone
}

// awkSortKeys orders for-in keys: numbers numerically first, then strings.
// (awk leaves the order unspecified; a stable order keeps output
// reproducible.)
func awkSortKeys(keys []string) {
	sort.Slice(keys, func(i, j int) bool {
		a, aok := awkLooksNumeric(keys[i])
		b, bok := awkLooksNumeric(keys[j])
		switch {
		case aok && bok:
			if a != b {
				return a < b
			}
			return keys[i] < keys[j]
		case aok:
			return true
		case bok:
			return false
		}
		return keys[i] < keys[j]
	})
}

func (in *awkInterp) output(redir string, dest awkExpr) *bufio.Writer {
	if redir == "" {
		return in.out
	}
	name := in.toStr(in.eval(dest))
	if o, ok := in.outputs[name]; ok {
		return o.w
	}
	if redir == "|" {
		if in.env.Exec == nil {
			in.fail("cannot open pipe \"%s\": no command runner", name)
		}
		buf := &bytes.Buffer{}
		o := &awkOutput{w: bufio.NewWriter(buf), pipe: buf, cmd: name}
		in.outputs[name] = o
		return o.w
	}
	switch name {
	case "/dev/stdout", "-":
		return in.out
	case "/dev/stderr":
		in.out.Flush()
		o := &awkOutput{w: bufio.NewWriterSize(in.env.Stderr, 512)}
		in.outputs[name] = o
		return o.w
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if redir == ">>" {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := in.env.FS.OpenFile(in.env.Abs(name), flag, 0o644)
	if err != nil {
		in.fail("cannot open \"%s\" for output (%s)", name, textErrText(err))
	}
	o := &awkOutput{w: bufio.NewWriter(f), f: f}
	in.outputs[name] = o
	return o.w
}

func (in *awkInterp) print(x *sPrint) {
	w := in.output(x.redir, x.dest)
	if x.printf {
		vals := make([]awkVal, len(x.args))
		for i, a := range x.args {
			vals[i] = in.eval(a)
		}
		w.WriteString(awkSprintf(in, in.toStr(vals[0]), vals[1:]))
	} else if len(x.args) == 0 {
		w.WriteString(in.record)
		w.WriteString(in.getStrFast("ORS", "\n"))
	} else {
		ofs := in.getStrFast("OFS", " ")
		for i, a := range x.args {
			if i > 0 {
				w.WriteString(ofs)
			}
			w.WriteString(in.toOutStr(in.eval(a)))
		}
		w.WriteString(in.getStrFast("ORS", "\n"))
	}
	if w != in.out && w.Buffered() > 0 {
		if _, isErr := in.outputs["/dev/stderr"]; isErr && in.outputs["/dev/stderr"].w == w {
			w.Flush()
		}
	}
}

// Input

func (in *awkInterp) newReader(r io.Reader, c io.Closer) *awkRecReader {
	return &awkRecReader{br: bufio.NewReaderSize(ctxReader{in.ctx, r}, textBufSize), closer: c}
}

// readRecord reads one record with the current RS.
func (in *awkInterp) readRecord(rr *awkRecReader) (string, bool) {
	rs := in.getStrFast("RS", "\n")
	switch {
	case rs == "\n" || len(rs) == 1:
		s, err := rr.br.ReadString(rs[0])
		if err != nil && s == "" {
			return "", false
		}
		if err == nil {
			s = s[:len(s)-1]
		}
		return s, true
	case rs == "":
		// Paragraph mode: skip leading newlines, read to a blank line.
		for {
			b, err := rr.br.ReadByte()
			if err != nil {
				return "", false
			}
			if b != '\n' {
				rr.br.UnreadByte()
				break
			}
		}
		var sb strings.Builder
		for {
			line, err := rr.br.ReadString('\n')
			if line == "\n" || (err != nil && line == "") {
				break
			}
			sb.WriteString(line)
			if err != nil {
				break
			}
		}
		return strings.TrimRight(sb.String(), "\n"), true
	default:
		if !rr.allSet {
			data, _ := io.ReadAll(rr.br)
			s := string(data)
			parts := in.regex(rs).Split(s, -1)
			if len(parts) > 0 && parts[len(parts)-1] == "" {
				parts = parts[:len(parts)-1]
			}
			rr.all, rr.allSet = parts, true
		}
		if len(rr.all) == 0 {
			return "", false
		}
		s := rr.all[0]
		rr.all = rr.all[1:]
		return s, true
	}
}

// nextMainRecord reads the next record of the main input, opening the
// ARGV operands in turn.
func (in *awkInterp) nextMainRecord() (string, bool) {
	for {
		if in.ctx.Err() != nil {
			panic(&awkError{"interrupted"})
		}
		if in.cur == nil {
			if !in.openNextInput() {
				return "", false
			}
		}
		s, ok := in.readRecord(in.cur)
		if ok {
			in.nr++
			in.fnr++
			return s, true
		}
		if in.cur.closer != nil {
			in.cur.closer.Close()
		}
		in.cur = nil
	}
}

func (in *awkInterp) openNextInput() bool {
	if in.noMore {
		return false
	}
	argv := in.array(&aVar{name: "ARGV", local: -1})
	for {
		argc := int(toNum(in.getVar(&aVar{name: "ARGC", local: -1})))
		in.argIdx++
		if in.argIdx >= argc {
			break
		}
		arg := in.toStr(argv[strconv.Itoa(in.argIdx)])
		if arg == "" {
			continue
		}
		if eq := strings.IndexByte(arg, '='); eq > 0 && awkIsName(arg[:eq]) {
			in.setVar(&aVar{name: arg[:eq], local: -1}, awkStrNum(unescapeAwk(arg[eq+1:])))
			continue
		}
		in.fnr = 0
		in.global("FILENAME").v = awkStr(arg)
		if arg == "-" || arg == "/dev/stdin" {
			in.cur = in.newReader(in.env.Stdin, nil)
			in.sawFile = true
			return true
		}
		r, err := openInput(in.ctx, in.env, arg)
		if err != nil {
			in.out.Flush()
			in.fail("cannot open \"%s\" (%s)", arg, textErrText(err))
		}
		in.cur = in.newReader(r, r)
		in.sawFile = true
		return true
	}
	in.noMore = true
	if !in.sawFile {
		in.sawFile = true
		in.noMore = false
		in.cur = in.newReader(in.env.Stdin, nil)
		return true
	}
	return false
}

func awkIsName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// unescapeAwk processes escapes in -v and command-line assignments.
func unescapeAwk(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	l := &awkLexer{src: `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`}
	out, err := l.str()
	if err != nil {
		return s
	}
	return out
}

func (in *awkInterp) getline(x *aGetline) awkVal {
	switch x.kind {
	case "|":
		cmd := in.toStr(in.eval(x.src))
		rr, ok := in.inputs[cmd]
		if !ok {
			if in.env.Exec == nil {
				return awkNum(-1)
			}
			in.out.Flush()
			var buf bytes.Buffer
			saved := in.env.Stdout
			in.env.Stdout = &buf
			in.env.Exec(in.ctx, []string{"sh", "-c", cmd})
			in.env.Stdout = saved
			rr = in.newReader(&buf, nil)
			in.inputs[cmd] = rr
		}
		s, ok := in.readRecord(rr)
		if !ok {
			return awkNum(0)
		}
		in.nr++
		if x.lhs == nil {
			in.setRecord(s)
		} else {
			in.assign(x.lhs, awkStrNum(s))
		}
		return awkNum(1)
	case "<":
		name := in.toStr(in.eval(x.src))
		rr, ok := in.inputs[name]
		if !ok {
			var r io.ReadCloser
			var err error
			if name == "-" || name == "/dev/stdin" {
				r = io.NopCloser(in.env.Stdin)
			} else {
				r, err = openInput(in.ctx, in.env, name)
			}
			if err != nil {
				return awkNum(-1)
			}
			rr = in.newReader(r, r)
			in.inputs[name] = rr
		}
		s, ok := in.readRecord(rr)
		if !ok {
			return awkNum(0)
		}
		if x.lhs == nil {
			in.setRecord(s)
		} else {
			in.assign(x.lhs, awkStrNum(s))
		}
		return awkNum(1)
	}
	s, ok := in.nextMainRecord()
	if !ok {
		return awkNum(0)
	}
	if x.lhs == nil {
		in.setRecord(s)
	} else {
		in.assign(x.lhs, awkStrNum(s))
	}
	return awkNum(1)
}

// Builtins

func (in *awkInterp) builtin(x *aBuiltin) awkVal {
	args := x.args
	argStr := func(i int) string { return in.toStr(in.eval(args[i])) }
	argNum := func(i int) float64 { return toNum(in.eval(args[i])) }
	need := func(lo, hi int) {
		if len(args) < lo || len(args) > hi {
			in.fail("function %s: wrong number of arguments", x.name)
		}
	}
	switch x.name {
	case "length":
		if len(args) == 0 {
			return awkNum(float64(utf8.RuneCountInString(in.record)))
		}
		if v, ok := args[0].(*aVar); ok {
			c := in.cell(v)
			if c.isArr {
				return awkNum(float64(len(c.arr)))
			}
		}
		return awkNum(float64(utf8.RuneCountInString(argStr(0))))
	case "substr":
		need(2, 3)
		s := []rune(argStr(0))
		m := argNum(1)
		start := awkRound(m)
		end := float64(len(s) + 1)
		if len(args) == 3 {
			n := argNum(2)
			if math.IsNaN(n) {
				return awkStr("")
			}
			end = start + awkRound(n)
		}
		if math.IsNaN(start) {
			return awkStr("")
		}
		if start < 1 {
			start = 1
		}
		if end > float64(len(s)+1) {
			end = float64(len(s) + 1)
		}
		if end <= start {
			return awkStr("")
		}
		return awkStr(string(s[int(start)-1 : int(end)-1]))
	case "index":
		need(2, 2)
		s, t := argStr(0), argStr(1)
		i := strings.Index(s, t)
		if i < 0 {
			return awkNum(0)
		}
		return awkNum(float64(utf8.RuneCountInString(s[:i]) + 1))
	case "split":
		need(2, 3)
		s := argStr(0)
		v, ok := args[1].(*aVar)
		if !ok {
			in.fail("split: second argument is not an array")
		}
		var parts []string
		if len(args) == 3 {
			if r, ok := args[2].(*aRegex); ok {
				if s != "" {
					parts = in.regex(r.re).Split(s, -1)
				}
			} else {
				parts = in.splitWith(s, argStr(2), false)
			}
		} else {
			parts = in.splitWith(s, in.getStrFast("FS", " "), false)
		}
		arr := in.array(v)
		for k := range arr {
			delete(arr, k)
		}
		for i, p := range parts {
			arr[strconv.Itoa(i+1)] = awkStrNum(p)
		}
		return awkNum(float64(len(parts)))
	case "sub", "gsub":
		need(2, 3)
		var re *regexp.Regexp
		if r, ok := args[0].(*aRegex); ok {
			re = in.regex(r.re)
		} else {
			re = in.regex(argStr(0))
		}
		repl := argStr(1)
		var target awkExpr = &aField{idx: &aNum{0}}
		if len(args) == 3 {
			target = args[2]
		}
		src := in.toStr(in.eval(target))
		n := -1
		if x.name == "sub" {
			n = 1
		}
		matches := re.FindAllStringIndex(src, n)
		if len(matches) == 0 {
			return awkNum(0)
		}
		var b strings.Builder
		last := 0
		for _, m := range matches {
			b.WriteString(src[last:m[0]])
			awkExpandRepl(&b, repl, src[m[0]:m[1]])
			last = m[1]
		}
		b.WriteString(src[last:])
		if isLvalue(target) || isGroupLvalue(target) {
			in.assign(target, awkStr(b.String()))
		}
		return awkNum(float64(len(matches)))
	case "match":
		need(2, 3)
		s := argStr(0)
		var re *regexp.Regexp
		if r, ok := args[1].(*aRegex); ok {
			re = in.regex(r.re)
		} else {
			re = in.regex(argStr(1))
		}
		loc := re.FindStringSubmatchIndex(s)
		if len(args) == 3 {
			if v, ok := args[2].(*aVar); ok {
				arr := in.array(v)
				for k := range arr {
					delete(arr, k)
				}
				for i := 0; loc != nil && 2*i < len(loc); i++ {
					if loc[2*i] >= 0 {
						arr[strconv.Itoa(i)] = awkStrNum(s[loc[2*i]:loc[2*i+1]])
					}
				}
			}
		}
		if loc == nil {
			in.global("RSTART").v = awkNum(0)
			in.global("RLENGTH").v = awkNum(-1)
			return awkNum(0)
		}
		start := float64(utf8.RuneCountInString(s[:loc[0]]) + 1)
		in.global("RSTART").v = awkNum(start)
		in.global("RLENGTH").v = awkNum(float64(utf8.RuneCountInString(s[loc[0]:loc[1]])))
		return awkNum(start)
	case "sprintf":
		if len(args) == 0 {
			in.fail("sprintf: no format")
		}
		vals := make([]awkVal, len(args)-1)
		for i := range vals {
			vals[i] = in.eval(args[i+1])
		}
		return awkStr(awkSprintf(in, argStr(0), vals))
	case "tolower":
		need(1, 1)
		return awkStr(strings.ToLower(argStr(0)))
	case "toupper":
		need(1, 1)
		return awkStr(strings.ToUpper(argStr(0)))
	case "int", "sqrt", "exp", "log", "sin", "cos":
		need(1, 1)
		return awkNum(awkMath1[x.name](argNum(0)))
	case "atan2":
		need(2, 2)
		return awkNum(math.Atan2(argNum(0), argNum(1)))
	case "rand":
		if in.rng == nil {
			in.rng = rand.New(rand.NewSource(int64(in.seed)))
		}
		return awkNum(in.rng.Float64())
	case "srand":
		prev := in.seed
		if len(args) == 0 {
			in.seed = float64(time.Now().Unix())
		} else {
			in.seed = argNum(0)
		}
		in.rng = rand.New(rand.NewSource(int64(in.seed)))
		return awkNum(prev)
	case "systime":
		return awkNum(float64(time.Now().Unix()))
	case "system":
		in.out.Flush()
		in.env.Errorf("awk", "system() is not available: commands cannot be run from awk in the sandbox")
		return awkNum(-1)
	case "close":
		need(1, 1)
		name := argStr(0)
		if o, ok := in.outputs[name]; ok {
			delete(in.outputs, name)
			return awkNum(float64(in.closeOutput(o)))
		}
		if r, ok := in.inputs[name]; ok {
			if r.closer != nil {
				r.closer.Close()
			}
			delete(in.inputs, name)
			return awkNum(0)
		}
		return awkNum(-1)
	case "fflush":
		in.out.Flush()
		for _, o := range in.outputs {
			o.w.Flush()
		}
		return awkNum(0)
	case "gensub":
		need(3, 4)
		var re *regexp.Regexp
		if r, ok := args[0].(*aRegex); ok {
			re = in.regex(r.re)
		} else {
			re = in.regex(argStr(0))
		}
		repl := argStr(1)
		how := in.eval(args[2])
		src := in.record
		if len(args) == 4 {
			src = argStr(3)
		}
		hs := in.toStr(how)
		global := strings.HasPrefix(hs, "g") || strings.HasPrefix(hs, "G")
		nth := int(toNum(how))
		if nth < 1 {
			nth = 1
		}
		matches := re.FindAllStringSubmatchIndex(src, -1)
		var b strings.Builder
		last := 0
		for i, m := range matches {
			if !global && i+1 != nth {
				continue
			}
			b.WriteString(src[last:m[0]])
			gensubExpand(&b, repl, src, m)
			last = m[1]
		}
		b.WriteString(src[last:])
		return awkStr(b.String())
	case "strftime":
		return awkStr(time.Now().Format("Mon Jan _2 15:04:05 MST 2006"))
	}
	in.fail("function %s not implemented", x.name)
	return awkVal{}
}

func isGroupLvalue(e awkExpr) bool {
	g, ok := e.(*aGroup)
	return ok && isLvalue(g.e)
}

func awkRound(f float64) float64 {
	if f >= 0 {
		return math.Floor(f + 0.5)
	}
	return math.Ceil(f - 0.5)
}

// awkExpandRepl expands '&' and '\&' in a sub/gsub replacement.
func awkExpandRepl(b *strings.Builder, repl, matched string) {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c == '\\' && i+1 < len(repl) && (repl[i+1] == '&' || repl[i+1] == '\\') {
			i++
			b.WriteByte(repl[i])
			continue
		}
		if c == '&' {
			b.WriteString(matched)
			continue
		}
		b.WriteByte(c)
	}
}

func gensubExpand(b *strings.Builder, repl, src string, m []int) {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c == '\\' && i+1 < len(repl) {
			d := repl[i+1]
			if d >= '0' && d <= '9' {
				g := int(d - '0')
				if 2*g+1 < len(m) && m[2*g] >= 0 {
					b.WriteString(src[m[2*g]:m[2*g+1]])
				}
				i++
				continue
			}
			if d == '&' || d == '\\' {
				b.WriteByte(d)
				i++
				continue
			}
		}
		if c == '&' {
			b.WriteString(src[m[0]:m[1]])
			continue
		}
		b.WriteByte(c)
	}
}

// awkSprintf formats like awk's printf.
func awkSprintf(in *awkInterp, format string, args []awkVal) string {
	var b strings.Builder
	ai := 0
	next := func() (awkVal, bool) {
		if ai < len(args) {
			ai++
			return args[ai-1], true
		}
		return awkVal{}, false
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		j := i + 1
		var spec strings.Builder
		spec.WriteByte('%')
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			spec.WriteByte(format[j])
			j++
		}
		for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '*') {
			if format[j] == '*' {
				v, _ := next()
				spec.WriteString(strconv.Itoa(awkClampWidth(toNum(v))))
			} else {
				spec.WriteByte(format[j])
			}
			j++
		}
		if w := spec.String(); len(w) > 1 {
			// Bound literal widths too.
			k := 1
			for k < len(w) && strings.IndexByte("-+ #0", w[k]) >= 0 {
				k++
			}
			if n, err := strconv.Atoi(w[k:]); err == nil && n > awkMaxWidth {
				spec.Reset()
				spec.WriteString(w[:k] + strconv.Itoa(awkMaxWidth))
			}
		}
		if j < len(format) && format[j] == '.' {
			spec.WriteByte('.')
			j++
			for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '*') {
				if format[j] == '*' {
					v, _ := next()
					spec.WriteString(strconv.Itoa(awkClampWidth(toNum(v))))
				} else {
					spec.WriteByte(format[j])
				}
				j++
			}
		}
		for j < len(format) && strings.IndexByte("hlLqjzt", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		verb := format[j]
		i = j
		v, _ := next()
		sp := spec.String()
		switch verb {
		case 'd', 'i':
			n := toNum(v)
			if math.IsInf(n, 0) || math.IsNaN(n) {
				b.WriteString(fmt.Sprintf(strings.Replace(sp, "0", "", 1)+"s", in.numToStr(n, "%.6g")))
				continue
			}
			b.WriteString(fmt.Sprintf(sp+"d", awkToInt(n)))
		case 'o', 'x', 'X', 'u':
			n := toNum(v)
			iv := awkToInt(n)
			if verb == 'u' {
				verb = 'd'
			}
			if iv < 0 && verb != 'd' {
				b.WriteString(fmt.Sprintf(sp+string(verb), uint64(iv)))
			} else {
				b.WriteString(fmt.Sprintf(sp+string(verb), iv))
			}
		case 'e', 'E', 'f', 'F', 'g', 'G':
			if verb == 'F' {
				verb = 'f'
			}
			b.WriteString(awkFormatFloat(sp, verb, toNum(v)))
		case 'c':
			var s string
			if v.k == kNum {
				s = string(rune(int(toNum(v))))
			} else {
				str := in.toStr(v)
				if str != "" {
					r, size := utf8.DecodeRuneInString(str)
					if r == utf8.RuneError {
						s = str[:size]
					} else {
						s = string(r)
					}
				}
			}
			b.WriteString(fmt.Sprintf(sp+"s", s))
		case 's':
			s := in.toStr(v)
			if v.k == kNum {
				s = in.toOutStr(v)
			}
			b.WriteString(fmt.Sprintf(sp+"s", s))
		default:
			b.WriteString(sp)
			b.WriteByte(verb)
			ai--
			if ai < 0 {
				ai = 0
			}
		}
	}
	return b.String()
}

// Limits that keep one awk program from exhausting the host's memory.
const (
	awkMaxString = 64 << 20
	awkMaxFields = 1 << 20
	awkMaxWidth  = 1 << 16
)

func awkClampWidth(n float64) int {
	switch {
	case n > awkMaxWidth:
		return awkMaxWidth
	case n < -awkMaxWidth:
		return -awkMaxWidth
	}
	return int(n)
}

func awkToInt(n float64) int64 {
	switch {
	case n >= math.MaxInt64:
		return math.MaxInt64
	case n <= math.MinInt64:
		return math.MinInt64
	}
	return int64(n)
}

// awkFormatFloat formats with C semantics (Go's %g/%e differ slightly: Go
// prints at least two exponent digits too, like C; '#' and precision match).
func awkFormatFloat(spec string, verb byte, n float64) string {
	if math.IsInf(n, 0) || math.IsNaN(n) {
		s := "inf"
		if math.IsNaN(n) {
			s = "nan"
		}
		if n < 0 || math.IsInf(n, -1) {
			s = "-" + s
		}
		if verb == 'E' || verb == 'G' {
			s = strings.ToUpper(s)
		}
		return fmt.Sprintf(strings.Replace(spec, "0", "", 1)+"s", s)
	}
	if (verb == 'g' || verb == 'G') && !strings.Contains(spec, ".") {
		spec += ".6"
	}
	return fmt.Sprintf(spec+string(verb), n)
}

// closeOutput flushes and closes an output file, or runs the command of an
// output pipe on what was printed to it (through the session's command
// lookup, as "sh -c cmd"). It returns the command's exit status for pipes.
func (in *awkInterp) closeOutput(o *awkOutput) int {
	o.w.Flush()
	if o.f != nil {
		o.f.Close()
	}
	if o.pipe == nil || in.env.Exec == nil {
		return 0
	}
	in.out.Flush()
	for _, other := range in.outputs {
		if other.pipe == nil {
			other.w.Flush()
		}
	}
	saved := in.env.Stdin
	in.env.Stdin = bytes.NewReader(o.pipe.Bytes())
	st := in.env.Exec(in.ctx, []string{"sh", "-c", o.cmd})
	in.env.Stdin = saved
	return st
}

// awkMath1 are awk's one-argument numeric builtins.
var awkMath1 = map[string]func(float64) float64{
	"int": math.Trunc, "sqrt": math.Sqrt, "exp": math.Exp,
	"log": math.Log, "sin": math.Sin, "cos": math.Cos,
}
