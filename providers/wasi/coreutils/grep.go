package coreutils

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/afero"
)

var grepSpec = optSpec{
	withArg: "efABCmd",
	noArg:   "rRnivlLcEFGPowxhHqsIzZUab",
	digits:  true,
	long: map[string]string{
		"recursive": "r", "dereference-recursive": "R", "line-number": "n",
		"ignore-case": "i", "invert-match": "v", "files-with-matches": "l",
		"files-without-match": "L", "count": "c", "extended-regexp": "E",
		"fixed-strings": "F", "basic-regexp": "G", "only-matching": "o",
		"word-regexp": "w", "line-regexp": "x", "regexp=": "e", "file=": "f",
		"no-filename": "h", "with-filename": "H", "quiet": "q", "silent": "q",
		"no-messages": "s", "after-context=": "A", "before-context=": "B",
		"context=": "C", "max-count=": "m", "include=": "include",
		"exclude=": "exclude", "exclude-dir=": "exclude-dir", "color": "color",
		"colour": "color", "color=": "color", "colour=": "color",
		"perl-regexp": "P", "null": "Z", "null-data": "z", "text": "a",
		"binary-files=": "binary-files", "label=": "label",
		"ignore-case-no": "no-ignore-case", "no-ignore-case": "no-ignore-case",
	},
}

type grepOpts struct {
	name                         string
	recursive, deref             bool
	lineNum, invert, count       bool
	filesWith, filesWithout      bool
	only, quiet, noMsg           bool
	withName, noName             bool
	after, before                int
	maxCount                     int
	include, exclude, excludeDir []string
	re                           *regexp.Regexp
	word, line                   bool
	matchNone                    bool
	nullName                     bool
	label                        string
	textMode                     bool
	showNames                    bool
	recursiveDefault             bool
}

// grep searches files for lines matching patterns.
func grep(ctx context.Context, env *Env, args []string) int {
	name := path.Base(args[0])
	mode := "G"
	switch name {
	case "egrep":
		mode = "E"
	case "fgrep":
		mode = "F"
	}
	opts, ops, err := parseOpts(args[1:], grepSpec)
	if err != nil {
		env.Errorf(name, "%s", err)
		fmt.Fprintf(env.Stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n")
		return 2
	}
	g := &grepOpts{name: name, maxCount: -1, label: "(standard input)"}
	var patterns []string
	havePat := false
	icase := false
	ctxN := -1
	for _, o := range opts {
		switch o.name {
		case "r":
			g.recursive = true
		case "R":
			g.recursive, g.deref = true, true
		case "n":
			g.lineNum = true
		case "i", "y":
			icase = true
		case "no-ignore-case":
			icase = false
		case "v":
			g.invert = true
		case "l":
			g.filesWith, g.filesWithout = true, false
		case "L":
			g.filesWithout, g.filesWith = true, false
		case "c":
			g.count = true
		case "E", "F", "G":
			mode = o.name
		case "P":
			mode = "P"
		case "o":
			g.only = true
		case "w":
			g.word = true
		case "x":
			g.line = true
		case "e":
			patterns = append(patterns, strings.Split(o.val, "\n")...)
			havePat = true
		case "f":
			data, err := readAllInput(ctx, env, o.val)
			if err != nil {
				env.Errorf(name, "%s: %s", o.val, textErrText(err))
				return 2
			}
			havePat = true
			s := string(data)
			if s != "" {
				patterns = append(patterns, strings.Split(strings.TrimSuffix(s, "\n"), "\n")...)
			}
		case "h":
			g.noName, g.withName = true, false
		case "H":
			g.withName, g.noName = true, false
		case "q":
			g.quiet = true
		case "s":
			g.noMsg = true
		case "A", "B", "C", "0":
			n, err := strconv.Atoi(o.val)
			if err != nil || n < 0 {
				env.Errorf(name, "%s: invalid context length argument", o.val)
				return 2
			}
			switch o.name {
			case "A":
				g.after = n
			case "B":
				g.before = n
			default:
				ctxN = n
			}
		case "m":
			n, err := strconv.Atoi(o.val)
			if err != nil {
				env.Errorf(name, "invalid max count")
				return 2
			}
			g.maxCount = n
		case "include":
			g.include = append(g.include, o.val)
		case "exclude":
			g.exclude = append(g.exclude, o.val)
		case "exclude-dir":
			g.excludeDir = append(g.excludeDir, o.val)
		case "Z":
			g.nullName = true
		case "a":
			g.textMode = true
		case "label":
			g.label = o.val
		}
	}
	if ctxN >= 0 {
		if g.after == 0 {
			g.after = ctxN
		}
		if g.before == 0 {
			g.before = ctxN
		}
	}
	if !havePat {
		if len(ops) == 0 {
			fmt.Fprintf(env.Stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n")
			return 2
		}
		patterns = strings.Split(ops[0], "\n")
		ops = ops[1:]
	}
	if len(patterns) == 0 {
		g.matchNone = true
	}
	if !g.matchNone {
		g.re, err = grepCompile(patterns, mode, icase, g.word, g.line)
		if err != nil {
			env.Errorf(name, "%s", err)
			return 2
		}
	}
	if g.matchNone && !g.invert {
		return 1
	}
	if len(ops) == 0 {
		if g.recursive {
			ops = []string{"."}
			g.showNames = !g.noName
			g.recursiveDefault = true
		} else {
			ops = []string{"-"}
		}
	}
	if len(ops) > 1 {
		g.showNames = true
	} else if g.recursive && ops[0] != "-" {
		if fi, err := env.FS.Stat(env.Abs(ops[0])); err == nil && fi.IsDir() {
			g.showNames = true
		}
	}
	if g.withName {
		g.showNames = true
	}
	if g.noName {
		g.showNames = false
	}
	out := bufio.NewWriterSize(env.Stdout, textBufSize)
	defer out.Flush()
	st := &grepState{g: g, env: env, out: out}
	for _, op := range ops {
		if ctx.Err() != nil {
			return 2
		}
		if st.grepOperand(ctx, op) && g.quiet {
			return 0
		}
	}
	if st.errored && !(g.quiet && st.matched) {
		return 2
	}
	if st.matched {
		return 0
	}
	return 1
}

type grepState struct {
	g             *grepOpts
	env           *Env
	out           *bufio.Writer
	matched       bool
	listedWithout bool
	errored       bool
}

func grepCompile(patterns []string, mode string, icase, word, line bool) (*regexp.Regexp, error) {
	parts := make([]string, 0, len(patterns))
	for _, p := range patterns {
		var t string
		var err error
		switch mode {
		case "F":
			t = regexp.QuoteMeta(p)
		case "E":
			t, err = translateRE(p, true)
		case "P":
			t = p
		default:
			t, err = translateRE(p, false)
		}
		if err != nil {
			return nil, err
		}
		parts = append(parts, t)
	}
	expr := "(?:" + strings.Join(parts, ")|(?:") + ")"
	if line {
		expr = "^(?:" + expr + ")$"
	}
	if icase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	if mode != "P" {
		re.Longest()
	}
	return re, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// matches returns the match spans of the line (the first only unless all).
func (g *grepOpts) matches(line string, all bool) [][2]int {
	if g.matchNone {
		return nil
	}
	var res [][2]int
	start := 0
	for start <= len(line) {
		loc := g.re.FindStringIndex(line[start:])
		if loc == nil {
			break
		}
		s, e := loc[0]+start, loc[1]+start
		if g.word {
			okStart := s == 0 || !isWordByte(line[s-1])
			okEnd := e == len(line) || !isWordByte(line[e])
			if !okStart || !okEnd {
				// Try shorter matches starting at s.
				found := false
				if okStart {
					for e2 := e - 1; e2 > s; e2-- {
						if (e2 == len(line) || !isWordByte(line[e2])) && g.re.MatchString(line[s:e2]) {
							if l := g.re.FindStringIndex(line[s:e2]); l != nil && l[0] == 0 && l[1] == e2-s {
								e = e2
								found = true
								break
							}
						}
					}
				}
				if !found {
					start = s + 1
					continue
				}
			}
		}
		res = append(res, [2]int{s, e})
		if !all {
			return res
		}
		if e == s {
			start = e + 1
		} else {
			start = e
		}
	}
	return res
}

// grepOperand searches one operand; it reports whether a line was selected.
func (st *grepState) grepOperand(ctx context.Context, op string) bool {
	g := st.g
	if op == "-" {
		return st.grepReader(ctx, g.label, st.env.Stdin)
	}
	p := st.env.Abs(op)
	fi, err := st.env.FS.Stat(p)
	if err != nil {
		if lst, ok := st.env.FS.(afero.Lstater); ok {
			if _, _, lerr := lst.LstatIfPossible(p); lerr == nil && g.recursive {
				return false // dangling symlink
			}
		}
		st.fileErr(op, err)
		return false
	}
	if fi.IsDir() {
		if !g.recursive {
			st.fileErr(op, errTextIsDir)
			return false
		}
		return st.walk(ctx, op, p)
	}
	return st.grepFile(ctx, op, p)
}

func (st *grepState) fileErr(op string, err error) {
	st.errored = true
	if !st.g.noMsg {
		st.out.Flush()
		st.env.Errorf(st.g.name, "%s: %s", op, textErrText(err))
	}
}

func (st *grepState) walk(ctx context.Context, display, p string) bool {
	g := st.g
	entries, err := afero.ReadDir(st.env.FS, p)
	if err != nil {
		st.fileErr(display, err)
		return false
	}
	any := false
	for _, e := range entries {
		if ctx.Err() != nil {
			return any
		}
		child := path.Join(p, e.Name())
		var disp string
		if display == "." && g.recursiveDefault {
			disp = e.Name()
		} else if strings.HasSuffix(display, "/") {
			disp = display + e.Name()
		} else {
			disp = display + "/" + e.Name()
		}
		mode := e.Mode()
		if lst, ok := st.env.FS.(afero.Lstater); ok {
			if li, _, err := lst.LstatIfPossible(child); err == nil {
				mode = li.Mode()
			}
		}
		isLink := mode&0o120000 == 0o120000 || mode.Type()&(1<<27) != 0
		if isLink {
			if !g.deref {
				continue
			}
			fi, err := st.env.FS.Stat(child)
			if err != nil {
				continue
			}
			mode = fi.Mode()
		}
		if mode.IsDir() {
			if grepGlobAny(g.excludeDir, e.Name()) {
				continue
			}
			if st.walk(ctx, disp, child) {
				any = true
				if g.quiet {
					return true
				}
			}
			continue
		}
		if !mode.IsRegular() {
			continue
		}
		if len(g.include) > 0 && !grepGlobAny(g.include, e.Name()) {
			continue
		}
		if grepGlobAny(g.exclude, e.Name()) {
			continue
		}
		if st.grepFile(ctx, disp, child) {
			any = true
			if g.quiet {
				return true
			}
		}
	}
	return any
}

func grepGlobAny(globs []string, name string) bool {
	for _, gl := range globs {
		if ok, _ := path.Match(gl, name); ok {
			return true
		}
	}
	return false
}

func (st *grepState) grepFile(ctx context.Context, display, p string) bool {
	g := st.g
	if len(g.include) > 0 && !g.recursive && !grepGlobAny(g.include, path.Base(p)) {
		return false
	}
	f, err := st.env.FS.Open(p)
	if err != nil {
		st.fileErr(display, err)
		return false
	}
	defer f.Close()
	return st.grepReader(ctx, display, f)
}

func (st *grepState) grepReader(ctx context.Context, display string, r io.Reader) bool {
	g := st.g
	br := bufio.NewReaderSize(ctxReader{ctx, r}, textBufSize)
	binary := false
	if !g.textMode {
		if peek, _ := br.Peek(textBufSize); bytes.IndexByte(peek, 0) >= 0 {
			binary = true
		}
	}
	out := st.out
	prefix := func(lineNo int, sep byte) {
		if g.showNames {
			out.WriteString(display)
			if g.nullName {
				out.WriteByte(0)
			} else {
				out.WriteByte(sep)
			}
		}
		if g.lineNum {
			out.WriteString(strconv.Itoa(lineNo))
			out.WriteByte(sep)
		}
	}
	printLines := !g.quiet && !g.count && !g.filesWith && !g.filesWithout && !binary
	var before []string
	beforeStart := 0
	afterLeft := 0
	lastPrinted := 0
	count := 0
	lineNo := 0
	var scratch []byte
	useContext := printLines && !g.only && (g.before > 0 || g.after > 0)
	for {
		if g.maxCount >= 0 && count >= g.maxCount {
			if afterLeft == 0 || !useContext {
				break
			}
		}
		if outFailed(out) {
			break
		}
		lineB, err := grepReadLine(br, &scratch)
		if len(lineB) == 0 && err != nil {
			if err != io.EOF {
				st.fileErr(display, err)
			}
			break
		}
		lineNo++
		if lineB[len(lineB)-1] == '\n' {
			lineB = lineB[:len(lineB)-1]
		}
		if g.maxCount >= 0 && count >= g.maxCount {
			// Trailing context after the last allowed match.
			prefix(lineNo, '-')
			out.Write(lineB)
			out.WriteByte('\n')
			lastPrinted = lineNo
			afterLeft--
			continue
		}
		var spans [][2]int
		var sel bool
		switch {
		case g.only && !g.invert:
			spans = g.matches(string(lineB), true)
			sel = len(spans) > 0
		case !g.word && !g.matchNone:
			sel = g.re.Match(lineB)
		default:
			sel = len(g.matches(string(lineB), false)) > 0
		}
		if g.invert {
			sel = !sel
		}
		if sel {
			count++
			st.matched = true
			if g.quiet {
				return true
			}
			if g.filesWith || g.filesWithout {
				break
			}
			if !printLines {
				continue
			}
			if useContext {
				if lastPrinted > 0 && lineNo-len(before) > lastPrinted+1 {
					out.WriteString("--\n")
				}
				for k, bl := range before {
					prefix(beforeStart+k, '-')
					out.WriteString(bl)
					out.WriteByte('\n')
				}
				before = before[:0]
			}
			if g.only {
				for _, sp := range spans {
					if sp[1] > sp[0] {
						prefix(lineNo, ':')
						out.Write(lineB[sp[0]:sp[1]])
						out.WriteByte('\n')
					}
				}
			} else {
				prefix(lineNo, ':')
				out.Write(lineB)
				out.WriteByte('\n')
			}
			lastPrinted = lineNo
			afterLeft = g.after
			continue
		}
		if !useContext {
			continue
		}
		if afterLeft > 0 {
			prefix(lineNo, '-')
			out.Write(lineB)
			out.WriteByte('\n')
			lastPrinted = lineNo
			afterLeft--
			continue
		}
		if g.before > 0 {
			if len(before) == g.before {
				copy(before, before[1:])
				before = before[:len(before)-1]
			}
			before = append(before, string(lineB))
			beforeStart = lineNo - len(before) + 1
		}
	}
	switch {
	case g.quiet:
	case g.filesWith:
		if count > 0 {
			st.printName(display)
		}
	case g.filesWithout:
		if count == 0 {
			st.printName(display)
			st.listedWithout = true
		}
	case g.count:
		if g.showNames {
			out.WriteString(display)
			out.WriteByte(':')
		}
		out.WriteString(strconv.Itoa(count))
		out.WriteByte('\n')
	case binary && count > 0:
		out.Flush()
		fmt.Fprintf(st.env.Stderr, "%s: %s: binary file matches\n", g.name, display)
	}
	return count > 0
}

func (st *grepState) printName(display string) {
	st.out.WriteString(display)
	if st.g.nullName {
		st.out.WriteByte(0)
	} else {
		st.out.WriteByte('\n')
	}
}

// grepReadLine returns the next line with its newline, without copying
// when it fits in the reader's buffer. The result is valid until the next
// call.
func grepReadLine(br *bufio.Reader, scratch *[]byte) ([]byte, error) {
	b, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return b, err
	}
	*scratch = append((*scratch)[:0], b...)
	for err == bufio.ErrBufferFull {
		b, err = br.ReadSlice('\n')
		*scratch = append(*scratch, b...)
	}
	return *scratch, err
}
