package coreutils

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/afero"
)

var sedSpec = optSpec{
	withArg: "efl",
	noArg:   "nErsuzi",
	long: map[string]string{
		"quiet": "n", "silent": "n", "expression=": "e", "file=": "f",
		"regexp-extended": "E", "separate": "s", "in-place=": "in-place",
		"null-data": "z", "posix": "posix", "debug": "debug", "sandbox": "sandbox",
		"unbuffered": "u", "line-length=": "l", "follow-symlinks": "follow-symlinks",
	},
}

// sedInput reads the lines of the input files as one stream (or one file at
// a time with -s/-i) with one line of lookahead, so that '$' is known.
type sedInput struct {
	ctx     context.Context
	env     *Env
	files   []string
	cur     *lineReader
	closer  io.Closer
	name    string
	status  int
	sep     byte
	next    string
	nextNL  bool
	hasNext bool
}

func (in *sedInput) openNext() bool {
	for len(in.files) > 0 {
		name := in.files[0]
		in.files = in.files[1:]
		r, err := openInput(in.ctx, in.env, name)
		if err != nil {
			if err == errTextIsDir {
				in.env.Errorf("sed", "couldn't edit %s: not a regular file", name)
				in.status = 2
				continue
			}
			in.env.Errorf("sed", "can't read %s: %s", name, textErrText(err))
			in.status = 2
			continue
		}
		if in.closer != nil {
			in.closer.Close()
		}
		in.cur, in.closer, in.name = newLineReader(r), r, name
		in.cur.term = in.sep
		return true
	}
	return false
}

// fill loads the lookahead line.
func (in *sedInput) fill() {
	for {
		if in.cur == nil && !in.openNext() {
			in.hasNext = false
			return
		}
		line, nl, ok, _ := in.cur.next()
		if ok {
			in.next, in.nextNL, in.hasNext = line, nl, true
			return
		}
		in.closer.Close()
		in.cur, in.closer = nil, nil
	}
}

func (in *sedInput) read() (string, bool, bool) {
	if !in.hasNext {
		return "", false, false
	}
	l, nl := in.next, in.nextNL
	in.fill()
	return l, nl, true
}

type sedOut struct {
	w         *bufio.Writer
	missingNL bool
}

func (o *sedOut) write(s string, nl bool, sep byte) {
	if o.missingNL {
		o.w.WriteByte(sep)
	}
	o.w.WriteString(s)
	if nl {
		o.w.WriteByte(sep)
	}
	o.missingNL = !nl
}

// sedRun is the state of one sed execution.
type sedRun struct {
	ctx      context.Context
	env      *Env
	cmds     []*sedCmd
	quiet    bool
	in       *sedInput
	out      *sedOut
	ps, hs   string
	lineNo   int
	lastNL   bool
	appendQ  []string
	lastRE   *regexp.Regexp
	tflag    bool
	wfiles   map[string]afero.File
	quitCode int
	quit     bool
	sep      byte
}

// sed is the stream editor.
func sed(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(sedInPlaceArgs(args[1:]), sedSpec)
	if err != nil {
		return usageErr(env, "sed", err, 1)
	}
	quiet, ere, separate, inPlace := false, false, false, false
	var scripts []string
	haveScript := false
	suffix := ""
	sep := byte('\n')
	for _, o := range opts {
		switch o.name {
		case "n":
			quiet = true
		case "E", "r":
			ere = true
		case "s":
			separate = true
		case "i":
			inPlace, separate = true, true
		case "in-place":
			inPlace, separate, suffix = true, true, o.val
		case "z":
			sep = 0
		case "e":
			scripts = append(scripts, o.val)
			haveScript = true
		case "f":
			data, err := readAllInput(ctx, env, o.val)
			if err != nil {
				env.Errorf("sed", "couldn't open file %s: %s", o.val, textErrText(err))
				return 1
			}
			scripts = append(scripts, strings.TrimSuffix(string(data), "\n"))
			haveScript = true
		}
	}
	if !haveScript {
		if len(ops) == 0 {
			fmt.Fprintln(env.Stderr, "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...")
			return 1
		}
		scripts = []string{ops[0]}
		ops = ops[1:]
	}
	script := strings.Join(scripts, "\n")
	cmds, err := parseSed(script, ere)
	if err != nil {
		env.Errorf("sed", "%s", err)
		return 1
	}
	if len(ops) == 0 {
		if inPlace {
			env.Errorf("sed", "no input files")
			return 1
		}
		ops = []string{"-"}
	}
	r := &sedRun{ctx: ctx, env: env, cmds: cmds, quiet: quiet, wfiles: map[string]afero.File{}, sep: sep}
	defer func() {
		for _, f := range r.wfiles {
			f.Close()
		}
	}()
	for _, c := range cmds {
		name := c.wfile
		if c.name == 'w' || c.name == 'W' {
			name = c.text
		}
		if name != "" && name != "/dev/stdout" && name != "/dev/stderr" && r.wfiles[name] == nil {
			f, err := env.FS.Create(env.Abs(name))
			if err != nil {
				env.Errorf("sed", "couldn't open file %s: %s", name, textErrText(err))
				return 4
			}
			r.wfiles[name] = f
		}
	}
	status := 0
	if inPlace {
		for _, op := range ops {
			if ctx.Err() != nil {
				return 4
			}
			p := env.Abs(op)
			fi, err := env.FS.Stat(p)
			if err != nil {
				env.Errorf("sed", "can't read %s: %s", op, textErrText(err))
				status = 2
				continue
			}
			if !fi.Mode().IsRegular() {
				env.Errorf("sed", "couldn't edit %s: not a regular file", op)
				status = 4
				continue
			}
			var buf bytes.Buffer
			st := r.runStream([]string{op}, &buf)
			if st == 2 {
				status = 2
				continue
			}
			if suffix != "" {
				bak := suffix
				if strings.Contains(bak, "*") {
					bak = strings.ReplaceAll(bak, "*", fi.Name())
				} else {
					bak = fi.Name() + bak
				}
				old, _ := afero.ReadFile(env.FS, p)
				afero.WriteFile(env.FS, env.Abs(bak), old, fi.Mode().Perm())
			}
			if err := afero.WriteFile(env.FS, p, buf.Bytes(), fi.Mode().Perm()); err != nil {
				env.Errorf("sed", "couldn't write %s: %s", op, textErrText(err))
				return 4
			}
			if r.quit {
				break
			}
		}
		if r.quit {
			return r.quitCode
		}
		return status
	}
	if separate {
		for _, op := range ops {
			if st := r.runStream([]string{op}, env.Stdout); st != 0 {
				status = st
			}
			if r.quit {
				break
			}
		}
	} else {
		status = r.runStream(ops, env.Stdout)
	}
	if r.quit {
		return r.quitCode
	}
	return status
}

// runStream runs the script over files, writing to w.
func (r *sedRun) runStream(files []string, w io.Writer) int {
	r.in = &sedInput{ctx: r.ctx, env: r.env, files: files, sep: r.sep}
	r.out = &sedOut{w: bufio.NewWriterSize(w, textBufSize)}
	defer r.out.w.Flush()
	r.lineNo = 0
	for _, c := range r.cmds {
		c.active, c.end = false, 0
	}
	r.in.fill()
	for !r.quit {
		if r.ctx.Err() != nil {
			return 4
		}
		if outFailed(r.out.w) {
			return 4
		}
		line, nl, ok := r.in.read()
		if !ok {
			break
		}
		r.lineNo++
		r.ps, r.lastNL = line, nl
		r.tflag = false
		r.cycle(0)
	}
	if r.in.closer != nil {
		r.in.closer.Close()
	}
	return r.in.status
}

func (r *sedRun) isLast() bool { return !r.in.hasNext }

func (r *sedRun) flushAppends() {
	for _, a := range r.appendQ {
		if strings.HasPrefix(a, "\x00r") {
			data, err := afero.ReadFile(r.env.FS, r.env.Abs(a[2:]))
			if err == nil && len(data) > 0 {
				if r.out.missingNL {
					r.out.w.WriteByte(r.sep)
				}
				r.out.w.Write(data)
				r.out.missingNL = data[len(data)-1] != '\n'
			}
			continue
		}
		r.out.write(a, true, '\n')
	}
	r.appendQ = r.appendQ[:0]
}

// endCycle prints the pattern space (unless -n) and the append queue.
func (r *sedRun) endCycle(autoprint bool) {
	if autoprint && !r.quiet {
		r.out.write(r.ps, r.lastNL, r.sep)
	}
	r.flushAppends()
}

func (r *sedRun) matchAddr(a *sedAddr) bool {
	switch a.kind {
	case sedLine:
		return r.lineNo == a.n
	case sedLast:
		return r.isLast()
	case sedZero:
		return false
	case sedStep:
		if a.m <= 0 {
			return r.lineNo == a.n
		}
		return r.lineNo >= a.n && (r.lineNo-a.n)%a.m == 0
	case sedRegex:
		re := a.re
		if a.empty {
			re = r.lastRE
			if re == nil {
				return false
			}
		} else {
			r.lastRE = re
		}
		return re.MatchString(r.ps)
	}
	return false
}

func (r *sedRun) selected(c *sedCmd) bool {
	m := r.selectedRaw(c)
	if c.neg {
		return !m
	}
	return m
}

func (r *sedRun) selectedRaw(c *sedCmd) bool {
	if c.a1 == nil {
		return true
	}
	if c.a2 == nil {
		return r.matchAddr(c.a1)
	}
	if c.active {
		switch c.a2.kind {
		case sedLine:
			if r.lineNo >= c.a2.n {
				c.active = false
			}
			return true
		case sedPlus, sedMult:
			if r.lineNo >= c.end {
				c.active = false
			}
			return true
		default:
			if r.matchAddr(c.a2) {
				c.active = false
			}
			return true
		}
	}
	if c.a1.kind == sedZero {
		if c.end != 0 {
			return false
		}
		c.end, c.active = -1, true
		if r.matchAddr(c.a2) {
			c.active = false
		}
		return true
	}
	if !r.matchAddr(c.a1) {
		return false
	}
	c.active = true
	switch c.a2.kind {
	case sedLine:
		if c.a2.n <= r.lineNo {
			c.active = false
		}
	case sedLast:
		if r.isLast() {
			c.active = false
		}
	case sedPlus:
		c.end = r.lineNo + c.a2.n
		if c.a2.n == 0 {
			c.active = false
		}
	case sedMult:
		if c.a2.n <= 0 || r.lineNo%c.a2.n == 0 {
			c.active = false
		} else {
			c.end = (r.lineNo/c.a2.n + 1) * c.a2.n
		}
	}
	return true
}

// cycle runs the script from command index pc on the pattern space.
func (r *sedRun) cycle(pc int) {
	for pc < len(r.cmds) {
		if len(r.ps)+len(r.hs) > sedMaxSpace {
			r.env.Errorf("sed", "pattern space too large (over %d bytes)", sedMaxSpace)
			r.quit, r.quitCode = true, 4
			return
		}
		c := r.cmds[pc]
		if !r.selected(c) {
			if c.name == '{' {
				pc = c.jump + 1
				continue
			}
			pc++
			continue
		}
		switch c.name {
		case '{', '}', ':':
		case '=':
			if r.out.missingNL {
				r.out.w.WriteByte('\n')
				r.out.missingNL = false
			}
			r.out.w.WriteString(strconv.Itoa(r.lineNo) + "\n")
		case 'a':
			r.appendQ = append(r.appendQ, c.text)
		case 'i':
			r.out.write(c.text, true, '\n')
		case 'c':
			if c.a2 == nil || c.neg || !c.active {
				r.out.write(c.text, true, '\n')
			}
			r.flushAppends()
			return
		case 'd':
			r.flushAppends()
			return
		case 'D':
			i := strings.IndexByte(r.ps, '\n')
			if i < 0 {
				r.flushAppends()
				return
			}
			r.ps = r.ps[i+1:]
			r.flushAppends()
			r.tflag = false
			if r.ctx.Err() != nil {
				return
			}
			pc = 0
			continue
		case 'g':
			r.ps = r.hs
		case 'G':
			r.ps += "\n" + r.hs
		case 'h':
			r.hs = r.ps
		case 'H':
			r.hs += "\n" + r.ps
		case 'x':
			r.ps, r.hs = r.hs, r.ps
		case 'z':
			r.ps = ""
		case 'F':
			name := r.in.name
			if name == "" {
				name = "-"
			}
			r.out.write(name, true, '\n')
		case 'l':
			r.out.write(sedEscape(r.ps, c.exit), true, '\n')
		case 'n':
			if r.quiet == false {
				r.out.write(r.ps, r.lastNL, r.sep)
			}
			if r.isLast() {
				r.flushAppends()
				r.quit = true
				return
			}
			r.flushAppends()
			line, nl, _ := r.in.read()
			r.lineNo++
			r.ps, r.lastNL = line, nl
		case 'N':
			if r.isLast() {
				r.endCycle(true)
				r.quit = true
				return
			}
			r.flushAppends()
			line, nl, _ := r.in.read()
			r.lineNo++
			r.ps += "\n" + line
			r.lastNL = nl
		case 'p':
			r.out.write(r.ps, true, r.sep)
		case 'P':
			first, _, _ := strings.Cut(r.ps, "\n")
			r.out.write(first, true, r.sep)
		case 'q':
			r.endCycle(true)
			r.quit, r.quitCode = true, c.exit
			return
		case 'Q':
			r.quit, r.quitCode = true, c.exit
			return
		case 'r':
			r.appendQ = append(r.appendQ, "\x00r"+c.text)
		case 'R':
		case 'w', 'W':
			s := r.ps
			if c.name == 'W' {
				s, _, _ = strings.Cut(s, "\n")
			}
			r.writeFile(c.text, s)
		case 'b':
			if r.ctx.Err() != nil {
				r.quit = true
				return
			}
			pc = c.jump
			continue
		case 't':
			if r.tflag {
				if r.ctx.Err() != nil {
					r.quit = true
					return
				}
				r.tflag = false
				pc = c.jump
				continue
			}
		case 'T':
			if !r.tflag {
				if r.ctx.Err() != nil {
					r.quit = true
					return
				}
				pc = c.jump
				continue
			}
			r.tflag = false
		case 's':
			if r.subst(c) {
				r.tflag = true
				for i := 0; i < c.print; i++ {
					r.out.write(r.ps, true, r.sep)
				}
				if c.wfile != "" {
					r.writeFile(c.wfile, r.ps)
				}
			}
		case 'y':
			r.ps = strings.Map(func(x rune) rune {
				if y, ok := c.ymap[x]; ok {
					return y
				}
				return x
			}, r.ps)
		}
		pc++
	}
	r.endCycle(true)
}

func (r *sedRun) writeFile(name, s string) {
	switch name {
	case "/dev/stdout":
		r.out.write(s, true, '\n')
	case "/dev/stderr":
		fmt.Fprintln(r.env.Stderr, s)
	default:
		if f := r.wfiles[name]; f != nil {
			io.WriteString(f, s+"\n")
		}
	}
}

func (r *sedRun) subst(c *sedCmd) bool {
	re := c.re
	if c.emptyRE {
		re = r.lastRE
		if re == nil {
			return false
		}
	} else {
		r.lastRE = re
	}
	matches := re.FindAllStringSubmatchIndex(r.ps, -1)
	if len(matches) == 0 {
		return false
	}
	var b strings.Builder
	last := 0
	replaced := false
	for i, m := range matches {
		if c.nth > 0 && i+1 < c.nth {
			continue
		}
		b.WriteString(r.ps[last:m[0]])
		sedExpand(&b, r.ps, m, c.repl)
		last = m[1]
		replaced = true
		if !c.global {
			break
		}
	}
	if !replaced {
		return false
	}
	b.WriteString(r.ps[last:])
	r.ps = b.String()
	return true
}

func sedExpand(b *strings.Builder, src string, m []int, parts []sedReplPart) {
	var conv, once byte
	write := func(s string) {
		if once != 0 && s != "" {
			rs := []rune(s)
			if once == 'u' {
				rs[0] = unicode.ToUpper(rs[0])
			} else {
				rs[0] = unicode.ToLower(rs[0])
			}
			s = string(rs)
			once = 0
			if conv == 'U' {
				s = s[:len(string(rs[0]))] + strings.ToUpper(s[len(string(rs[0])):])
			} else if conv == 'L' {
				s = s[:len(string(rs[0]))] + strings.ToLower(s[len(string(rs[0])):])
			}
			b.WriteString(s)
			return
		}
		switch conv {
		case 'U':
			s = strings.ToUpper(s)
		case 'L':
			s = strings.ToLower(s)
		}
		b.WriteString(s)
	}
	for _, p := range parts {
		switch {
		case p.group == -1:
			write(p.lit)
		case p.group == -2:
			switch p.conv {
			case 'U', 'L':
				conv = p.conv
			case 'E':
				conv = 0
			default:
				once = p.conv
			}
		default:
			if 2*p.group+1 < len(m) && m[2*p.group] >= 0 {
				write(src[m[2*p.group]:m[2*p.group+1]])
			}
		}
	}
}

// sedMaxSpace bounds the pattern and hold spaces together, so that one
// script cannot exhaust the host's memory.
const sedMaxSpace = 64 << 20

// sedEscape renders s for the l command.
func sedEscape(s string, width int) string {
	if width == 0 {
		width = 70
	}
	var b strings.Builder
	col := 0
	emit := func(t string) {
		if width > 1 && col+len(t) > width-1 {
			b.WriteString("\\\n")
			col = 0
		}
		b.WriteString(t)
		col += len(t)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			emit(`\\`)
		case '\a':
			emit(`\a`)
		case '\b':
			emit(`\b`)
		case '\f':
			emit(`\f`)
		case '\n':
			emit(`\n`)
		case '\r':
			emit(`\r`)
		case '\t':
			emit(`\t`)
		case '\v':
			emit(`\v`)
		default:
			if c < 32 || c >= 127 {
				emit(fmt.Sprintf("\\%03o", c))
			} else {
				emit(string(c))
			}
		}
	}
	b.WriteString("$")
	return b.String()
}

// sedInPlaceArgs rewrites "-i[SUFFIX]" (possibly after other flags, as in
// "-ni") to "--in-place=SUFFIX": everything after 'i' is the suffix.
func sedInPlaceArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for k := 0; k < len(args); k++ {
		a := args[k]
		if a == "--" {
			return append(out, args[k:]...)
		}
		if a == "-e" || a == "-f" || a == "-l" || a == "--expression" || a == "--file" {
			out = append(out, a)
			if k+1 < len(args) {
				k++
				out = append(out, args[k])
			}
			continue
		}
		if len(a) > 1 && a[0] == '-' && a[1] != '-' {
			if i := strings.IndexByte(a, 'i'); i > 0 && strings.Trim(a[1:i], "nErsuz") == "" {
				if i > 1 {
					out = append(out, a[:i])
				}
				out = append(out, "--in-place="+a[i+1:])
				continue
			}
		}
		out = append(out, a)
	}
	return out
}
