package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wsbx/wsbx/providers"
)

// findEntry is one file find visits.
type findEntry struct {
	path  string // as printed
	abs   string // absolute sandbox path
	start string // the starting point it was found under
	fi    fs.FileInfo
	depth int
}

// findExpr evaluates one expression on an entry.
type findExpr func(f *findRun, e *findEntry) bool

// findRun is one find invocation.
type findRun struct {
	ctx                context.Context
	env                *Env
	cmd                string
	w                  *bufio.Writer
	follow             bool // -L
	followArgs         bool // -H
	maxDepth, minDepth int
	depthFirst         bool
	now                time.Time
	loc                *time.Location
	status             int
	prune, quit        bool
	batches            []*findBatch
}

// findBatch collects the paths of one "-exec ... {} +".
type findBatch struct {
	argv  []string
	paths []string
	size  int
}

// findBatchLimit is how many bytes of paths one "-exec ... +" command gets.
const findBatchLimit = 128 << 10

// findError is a usage error in the expression.
type findError struct{ msg string }

func (e *findError) Error() string { return e.msg }

// cmdFind is find: walk directory trees evaluating an expression. Supported:
// options -L -H -P; -maxdepth -mindepth -depth -xdev; tests -name -iname
// -path -ipath -wholename -regex -iregex -type -xtype -newer -size -empty
// -mtime -mmin -atime -amin -ctime -cmin -perm -user -group -uid -gid
// -nouser -nogroup -readable -writable -executable -links -samefile -true
// -false; actions -print -print0 -printf -fprint? (no) -ls -exec -execdir
// -ok? (no) -delete -prune -quit; operators ( ) ! -not -a -and -o -or ,.
// Entries of a directory are visited in name order.
func cmdFind(ctx context.Context, env *Env, args []string) int {
	f := &findRun{ctx: ctx, env: env, cmd: args[0], w: bufio.NewWriterSize(env.Stdout, fileChunk),
		maxDepth: -1, now: time.Now(), loc: fileLocation(env)}
	rest := args[1:]
	for len(rest) > 0 {
		switch rest[0] {
		case "-L":
			f.follow = true
		case "-H":
			f.followArgs = true
		case "-P":
			f.follow, f.followArgs = false, false
		case "-O0", "-O1", "-O2", "-O3":
		default:
			goto paths
		}
		rest = rest[1:]
	}
paths:
	var starts []string
	for len(rest) > 0 {
		a := rest[0]
		if (strings.HasPrefix(a, "-") && a != "-") || a == "(" || a == "!" || a == ")" || a == "," {
			break
		}
		starts = append(starts, a)
		rest = rest[1:]
	}
	if len(starts) == 0 {
		starts = []string{"."}
	}
	p := &findParser{f: f, toks: rest}
	expr, hasAction, err := p.parse()
	if err != nil {
		env.Errorf(args[0], "%s", err)
		return 1
	}
	if !hasAction {
		inner := expr
		expr = func(f *findRun, e *findEntry) bool {
			if inner(f, e) {
				f.printPath(e, '\n')
			}
			return true
		}
	}
	for _, s := range starts {
		if ctx.Err() != nil || f.quit {
			break
		}
		abs := env.Abs(s)
		var fi fs.FileInfo
		var err error
		if f.follow || f.followArgs {
			fi, err = env.FS.Stat(abs)
			if err != nil {
				fi, err = fileLstat(env.FS, abs)
			}
		} else {
			fi, err = fileLstat(env.FS, abs)
		}
		if err != nil {
			f.w.Flush()
			env.Errorf(args[0], "%s: %s", fileQuote(s), errText(err))
			f.status = 1
			continue
		}
		f.visit(expr, &findEntry{path: s, abs: abs, start: s, fi: fi}, nil)
	}
	f.flushBatches()
	if f.w.Flush() != nil {
		return 1
	}
	if ctx.Err() != nil {
		return 1
	}
	return f.status
}

// visit evaluates expr on e and descends into it when it is a directory.
// ancestors holds the resolved directories above e, to stop symlink loops.
func (f *findRun) visit(expr findExpr, e *findEntry, ancestors []string) {
	if f.ctx.Err() != nil || f.quit {
		return
	}
	inRange := e.depth >= f.minDepth && (f.maxDepth < 0 || e.depth <= f.maxDepth)
	f.prune = false
	if inRange && !f.depthFirst {
		expr(f, e)
	}
	pruned := f.prune
	if e.fi.IsDir() && !pruned && (f.maxDepth < 0 || e.depth < f.maxDepth) && !f.quit {
		if f.follow {
			real, _ := fileRealpath(f.env.FS, e.abs, false, false)
			for _, a := range ancestors {
				if a == real {
					f.w.Flush()
					f.env.Errorf(f.cmd, "File system loop detected; %s is part of the same file system loop as %s.", fileQuote(e.path), fileQuote(e.start))
					f.status = 1
					return
				}
			}
			ancestors = append(ancestors, real)
		}
		entries, err := fileReadDir(f.env.FS, e.abs)
		if err != nil {
			f.w.Flush()
			f.env.Errorf(f.cmd, "%s: %s", fileQuote(e.path), errText(err))
			f.status = 1
		}
		for _, c := range entries {
			if f.ctx.Err() != nil || f.quit {
				return
			}
			child := &findEntry{path: strings.TrimSuffix(e.path, "/") + "/" + c.Name(), abs: path.Join(e.abs, c.Name()),
				start: e.start, fi: c, depth: e.depth + 1}
			if e.path == "/" {
				child.path = "/" + c.Name()
			}
			if f.follow && fileIsLink(c) {
				if tfi, err := f.env.FS.Stat(child.abs); err == nil {
					child.fi = tfi
				}
			}
			f.visit(expr, child, ancestors)
		}
	}
	if inRange && f.depthFirst {
		expr(f, e)
	}
}

func (f *findRun) printPath(e *findEntry, end byte) {
	f.w.WriteString(e.path)
	f.w.WriteByte(end)
}

// exec runs argv through the session and reports whether it exited 0.
func (f *findRun) exec(argv []string) bool {
	if f.env.Exec == nil {
		f.env.Errorf(f.cmd, "cannot run %s: no command runner", argv[0])
		return false
	}
	if err := f.w.Flush(); err != nil {
		return false
	}
	return f.env.Exec(f.ctx, argv) == 0
}

// execIn runs argv with dir as its current directory (for -execdir).
// Exec reads the Env's fields when called, so the directory is set on the
// Env for the call and put back after.
func (f *findRun) execIn(dir string, argv []string) bool {
	old := f.env.Dir
	f.env.Dir = dir
	defer func() { f.env.Dir = old }()
	return f.exec(argv)
}

func (f *findRun) flushBatch(b *findBatch) {
	if len(b.paths) == 0 {
		return
	}
	argv := append(append([]string{}, b.argv...), b.paths...)
	b.paths, b.size = nil, 0
	if !f.exec(argv) {
		f.status = 1
	}
}

func (f *findRun) flushBatches() {
	for _, b := range f.batches {
		if f.ctx.Err() != nil {
			return
		}
		f.flushBatch(b)
	}
}

// findParser parses the expression: expr := and ("," and)* with "-o"
// between ands; and := not ((-a)? not)*; not := ("!"|"-not") not | primary.
type findParser struct {
	f         *findRun
	toks      []string
	pos       int
	hasAction bool
}

func (p *findParser) parse() (findExpr, bool, error) {
	if len(p.toks) == 0 {
		return func(*findRun, *findEntry) bool { return true }, false, nil
	}
	e, err := p.parseComma()
	if err != nil {
		return nil, false, err
	}
	if p.pos < len(p.toks) {
		if p.toks[p.pos] == ")" {
			return nil, false, &findError{"you have too many ')'"}
		}
		return nil, false, &findError{fmt.Sprintf("unexpected argument %s", fileQuote(p.toks[p.pos]))}
	}
	return e, p.hasAction, nil
}

func (p *findParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *findParser) parseComma() (findExpr, error) {
	l, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	for p.peek() == "," {
		p.pos++
		r, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		a := l
		l = func(f *findRun, e *findEntry) bool { a(f, e); return r(f, e) }
	}
	return l, nil
}

func (p *findParser) parseOr() (findExpr, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peek() == "-o" || p.peek() == "-or" {
		p.pos++
		if p.pos >= len(p.toks) {
			return nil, &findError{"invalid expression; you have used a binary operator '-o' with nothing after it."}
		}
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		a := l
		l = func(f *findRun, e *findEntry) bool { return a(f, e) || r(f, e) }
	}
	return l, nil
}

func (p *findParser) parseAnd() (findExpr, error) {
	l, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch t {
		case "", "-o", "-or", ")", ",":
			return l, nil
		case "-a", "-and":
			p.pos++
			if p.pos >= len(p.toks) {
				return nil, &findError{"invalid expression; you have used a binary operator '-a' with nothing after it."}
			}
		}
		r, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		a := l
		l = func(f *findRun, e *findEntry) bool { return a(f, e) && r(f, e) }
	}
}

func (p *findParser) parseNot() (findExpr, error) {
	if t := p.peek(); t == "!" || t == "-not" {
		p.pos++
		if p.pos >= len(p.toks) {
			return nil, &findError{"invalid expression; you have used a binary operator '!' with nothing after it."}
		}
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return func(f *findRun, e *findEntry) bool { return !x(f, e) }, nil
	}
	return p.parsePrimary()
}

// arg returns the argument of the predicate just read.
func (p *findParser) arg(pred string) (string, error) {
	if p.pos >= len(p.toks) {
		return "", &findError{fmt.Sprintf("missing argument to `%s'", pred)}
	}
	p.pos++
	return p.toks[p.pos-1], nil
}

func (p *findParser) parsePrimary() (findExpr, error) {
	tok := p.peek()
	if tok == "" {
		return nil, &findError{"invalid expression"}
	}
	p.pos++
	f := p.f
	switch tok {
	case "(":
		if p.peek() == ")" {
			return nil, &findError{"invalid expression; empty parentheses are not allowed."}
		}
		x, err := p.parseComma()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, &findError{"invalid expression; I was expecting to find a ')' somewhere but did not see one."}
		}
		p.pos++
		return x, nil
	case ")":
		return nil, &findError{"invalid expression; you have too many ')'"}
	case "-true":
		return func(*findRun, *findEntry) bool { return true }, nil
	case "-false":
		return func(*findRun, *findEntry) bool { return false }, nil
	case "-maxdepth", "-mindepth":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		n, cerr := strconv.Atoi(v)
		if cerr != nil || n < 0 {
			return nil, &findError{fmt.Sprintf("Expected a positive decimal integer argument to %s, but got %s", tok, fileQuote(v))}
		}
		if tok == "-maxdepth" {
			f.maxDepth = n
		} else {
			f.minDepth = n
		}
		return func(*findRun, *findEntry) bool { return true }, nil
	case "-depth", "-d":
		f.depthFirst = true
		return func(*findRun, *findEntry) bool { return true }, nil
	case "-xdev", "-mount", "-noleaf", "-ignore_readdir_race", "-follow", "-daystart", "-nowarn", "-warn":
		if tok == "-follow" {
			f.follow = true
		}
		return func(*findRun, *findEntry) bool { return true }, nil
	case "-name", "-iname":
		pat, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		fold := tok == "-iname"
		if fold {
			pat = strings.ToLower(pat)
		}
		return func(f *findRun, e *findEntry) bool {
			base := path.Base(e.path)
			if e.path == "/" {
				base = "/"
			}
			if fold {
				base = strings.ToLower(base)
			}
			return fileGlob(pat, base)
		}, nil
	case "-path", "-wholename", "-ipath", "-iwholename":
		pat, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		fold := strings.HasPrefix(tok, "-i")
		if fold {
			pat = strings.ToLower(pat)
		}
		return func(f *findRun, e *findEntry) bool {
			s := e.path
			if fold {
				s = strings.ToLower(s)
			}
			return fileGlob(pat, s)
		}, nil
	case "-regex", "-iregex":
		pat, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		if tok == "-iregex" {
			pat = "(?i)" + pat
		}
		re, rerr := regexp.Compile("^(?:" + pat + ")$")
		if rerr != nil {
			return nil, &findError{fmt.Sprintf("invalid regular expression %s", fileQuote(pat))}
		}
		return func(f *findRun, e *findEntry) bool { return re.MatchString(e.path) }, nil
	case "-regextype":
		if _, err := p.arg(tok); err != nil {
			return nil, err
		}
		return func(*findRun, *findEntry) bool { return true }, nil
	case "-type", "-xtype":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		want := map[byte]bool{}
		for _, part := range strings.Split(v, ",") {
			if len(part) != 1 || strings.IndexByte("bcdpflsD", part[0]) < 0 {
				if len(part) == 1 {
					return nil, &findError{fmt.Sprintf("Unknown argument to %s: %s", tok, part)}
				}
				return nil, &findError{fmt.Sprintf("Must separate multiple arguments to %s using: ','", tok)}
			}
			want[part[0]] = true
		}
		x := tok == "-xtype"
		return func(f *findRun, e *findEntry) bool {
			fi := e.fi
			if x {
				if fileIsLink(fi) {
					if t, err := f.env.FS.Stat(e.abs); err == nil {
						fi = t
					}
				} else if f.follow {
					if l, err := fileLstat(f.env.FS, e.abs); err == nil {
						fi = l
					}
				}
			}
			return want[findTypeChar(fi)]
		}, nil
	case "-empty":
		return func(f *findRun, e *findEntry) bool {
			switch {
			case e.fi.IsDir():
				entries, err := fileReadDir(f.env.FS, e.abs)
				return err == nil && len(entries) == 0
			case e.fi.Mode().IsRegular():
				return e.fi.Size() == 0
			}
			return false
		}, nil
	case "-size":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		return findSize(v)
	case "-newer", "-anewer", "-cnewer":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		fi, serr := f.env.FS.Stat(f.env.Abs(v))
		if serr != nil {
			return nil, &findError{fmt.Sprintf("%s: %s", fileQuote(v), errText(serr))}
		}
		ref := fi.ModTime()
		return func(f *findRun, e *findEntry) bool { return e.fi.ModTime().After(ref) }, nil
	case "-mtime", "-atime", "-ctime", "-mmin", "-amin", "-cmin":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		cmp, n, ok := findNumber(v)
		if !ok {
			return nil, &findError{fmt.Sprintf("invalid argument `%s' to `%s'", v, tok)}
		}
		unit := 24 * time.Hour
		if strings.HasSuffix(tok, "min") {
			unit = time.Minute
		}
		return func(f *findRun, e *findEntry) bool {
			age := f.now.Sub(e.fi.ModTime())
			if unit == time.Minute {
				// GNU rounds minutes up.
				m := int64((age + time.Minute - 1) / time.Minute)
				if age <= 0 {
					m = int64(age / time.Minute)
				}
				return findCompare(cmp, m, n)
			}
			return findCompare(cmp, int64(age/unit), n)
		}, nil
	case "-newermt":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		t, derr := fileParseDate(v, f.now, f.loc)
		if derr != nil {
			return nil, &findError{fmt.Sprintf("I cannot figure out how to interpret %s as a date or time", fileQuote(v))}
		}
		return func(f *findRun, e *findEntry) bool { return e.fi.ModTime().After(t) }, nil
	case "-perm":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		kind := byte(0)
		mode := v
		if strings.HasPrefix(v, "-") || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "+") {
			kind, mode = v[0], v[1:]
		}
		want, merr := chmodApply(mode, 0, false)
		if merr != nil {
			return nil, &findError{fmt.Sprintf("invalid mode %s", fileQuote(v))}
		}
		return func(f *findRun, e *findEntry) bool {
			m := providers.UnixMode(e.fi.Mode())
			switch kind {
			case '-':
				return m&want == want
			case '/', '+':
				return want == 0 || m&want != 0
			}
			return m&0o7777 == want
		}, nil
	case "-user", "-group":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		if v != fileUserName && v != "root" && !isDigits(v) {
			what := "user"
			if tok == "-group" {
				what = "group"
			}
			return nil, &findError{fmt.Sprintf("%s is not the name of a known %s", fileQuote(v), what)}
		}
		return func(*findRun, *findEntry) bool {
			return v == fileUserName || v == strconv.Itoa(fileUID)
		}, nil
	case "-uid", "-gid":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		cmp, n, ok := findNumber(v)
		if !ok {
			return nil, &findError{fmt.Sprintf("invalid argument `%s' to `%s'", v, tok)}
		}
		return func(*findRun, *findEntry) bool { return findCompare(cmp, fileUID, n) }, nil
	case "-links":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		cmp, n, ok := findNumber(v)
		if !ok {
			return nil, &findError{fmt.Sprintf("invalid argument `%s' to `%s'", v, tok)}
		}
		return func(f *findRun, e *findEntry) bool { return findCompare(cmp, int64(lsLinks(e.fi)), n) }, nil
	case "-nouser", "-nogroup":
		return func(*findRun, *findEntry) bool { return false }, nil
	case "-readable", "-writable", "-executable":
		bit := map[string]uint32{"-readable": 0o444, "-writable": 0o222, "-executable": 0o111}[tok]
		return func(f *findRun, e *findEntry) bool { return providers.UnixMode(e.fi.Mode())&bit != 0 }, nil
	case "-samefile":
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		ref, rerr := fileRealpath(f.env.FS, f.env.Abs(v), true, false)
		if rerr != nil {
			return nil, &findError{fmt.Sprintf("%s: %s", fileQuote(v), errText(rerr))}
		}
		return func(f *findRun, e *findEntry) bool {
			r, err := fileRealpath(f.env.FS, e.abs, true, false)
			return err == nil && r == ref
		}, nil
	case "-print":
		p.hasAction = true
		return func(f *findRun, e *findEntry) bool { f.printPath(e, '\n'); return true }, nil
	case "-print0":
		p.hasAction = true
		return func(f *findRun, e *findEntry) bool { f.printPath(e, 0); return true }, nil
	case "-printf":
		p.hasAction = true
		v, err := p.arg(tok)
		if err != nil {
			return nil, err
		}
		format := v
		return func(f *findRun, e *findEntry) bool { f.w.WriteString(findPrintf(f, format, e)); return true }, nil
	case "-ls":
		p.hasAction = true
		return func(f *findRun, e *findEntry) bool {
			target := ""
			if fileIsLink(e.fi) {
				t, _ := fileReadlink(f.env.FS, e.abs)
				target = " -> " + t
			}
			fmt.Fprintf(f.w, "%9d %6d %s %3d %-8s %-8s %8d %s %s%s\n", statInode(e.fi), lsBlocks(e.fi), fileModeString(e.fi.Mode()),
				lsLinks(e.fi), fileUserName, fileGroupName, e.fi.Size(), lsDate(e.fi.ModTime(), lsOptions{now: f.now, loc: f.loc}), e.path, target)
			return true
		}, nil
	case "-fprint", "-fprint0", "-fprintf", "-fls":
		return nil, &findError{fmt.Sprintf("%s is not supported", tok)}
	case "-prune":
		return func(f *findRun, e *findEntry) bool { f.prune = true; return true }, nil
	case "-quit":
		p.hasAction = true
		return func(f *findRun, e *findEntry) bool { f.quit = true; return true }, nil
	case "-delete":
		p.hasAction = true
		f.depthFirst = true
		return func(f *findRun, e *findEntry) bool {
			if e.path == "." {
				return true
			}
			var err error
			if e.fi.IsDir() {
				err = rmdirOne(f.env.FS, e.abs)
			} else {
				err = f.env.FS.Remove(e.abs)
			}
			if err != nil {
				f.w.Flush()
				f.env.Errorf(f.cmd, "cannot delete %s: %s", fileQuote(e.path), errText(err))
				f.status = 1
				return false
			}
			return true
		}, nil
	case "-exec", "-execdir", "-ok", "-okdir":
		p.hasAction = true
		var argv []string
		for {
			if p.pos >= len(p.toks) {
				return nil, &findError{fmt.Sprintf("missing argument to `%s'", tok)}
			}
			t := p.toks[p.pos]
			p.pos++
			if t == ";" {
				break
			}
			if t == "+" && len(argv) > 0 && argv[len(argv)-1] == "{}" {
				if len(argv) == 1 {
					return nil, &findError{fmt.Sprintf("missing argument to `%s'", tok)}
				}
				b := &findBatch{argv: argv[:len(argv)-1]}
				f.batches = append(f.batches, b)
				if strings.HasSuffix(tok, "dir") {
					// Each directory's entries would need their own
					// command; run one per entry instead.
					return func(f *findRun, e *findEntry) bool {
						return f.execIn(path.Dir(e.abs), append(append([]string{}, b.argv...), "./"+path.Base(e.abs)))
					}, nil
				}
				return func(f *findRun, e *findEntry) bool {
					pth := e.path
					b.paths = append(b.paths, pth)
					b.size += len(pth) + 1
					if b.size >= findBatchLimit {
						f.flushBatch(b)
					}
					return true
				}, nil
			}
			argv = append(argv, t)
		}
		if len(argv) == 0 {
			return nil, &findError{fmt.Sprintf("missing argument to `%s'", tok)}
		}
		dir := strings.HasSuffix(tok, "dir")
		return func(f *findRun, e *findEntry) bool {
			pth := e.path
			if dir {
				pth = "./" + path.Base(e.abs)
			}
			run := make([]string, len(argv))
			for i, a := range argv {
				run[i] = strings.ReplaceAll(a, "{}", pth)
			}
			if dir {
				return f.execIn(path.Dir(e.abs), run)
			}
			return f.exec(run)
		}, nil
	}
	if strings.HasPrefix(tok, "-") {
		return nil, &findError{fmt.Sprintf("unknown predicate `%s'", tok)}
	}
	return nil, &findError{fmt.Sprintf("paths must precede expression: `%s'", tok)}
}

// findTypeChar is the -type letter of a file.
func findTypeChar(fi fs.FileInfo) byte {
	m := fi.Mode()
	switch {
	case m.IsDir():
		return 'd'
	case m&fs.ModeSymlink != 0:
		return 'l'
	case m&fs.ModeNamedPipe != 0:
		return 'p'
	case m&fs.ModeSocket != 0:
		return 's'
	case m&fs.ModeCharDevice != 0:
		return 'c'
	case m&fs.ModeDevice != 0:
		return 'b'
	}
	return 'f'
}

// findNumber parses "+N", "-N" or "N".
func findNumber(v string) (byte, int64, bool) {
	cmp := byte('=')
	if strings.HasPrefix(v, "+") || strings.HasPrefix(v, "-") {
		cmp, v = v[0], v[1:]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return cmp, n, err == nil && n >= 0
}

func findCompare(cmp byte, have, want int64) bool {
	switch cmp {
	case '+':
		return have > want
	case '-':
		return have < want
	}
	return have == want
}

// findSize parses -size's argument: [+-]N[cwbkMG], in units rounded up.
func findSize(v string) (findExpr, error) {
	cmp := byte('=')
	s := v
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		cmp, s = s[0], s[1:]
	}
	unit := int64(512)
	if s != "" {
		switch s[len(s)-1] {
		case 'c':
			unit = 1
		case 'w':
			unit = 2
		case 'b':
			unit = 512
		case 'k':
			unit = 1024
		case 'M':
			unit = 1 << 20
		case 'G':
			unit = 1 << 30
		default:
			if s[len(s)-1] < '0' || s[len(s)-1] > '9' {
				return nil, &findError{fmt.Sprintf("invalid -size type `%c'", s[len(s)-1])}
			}
			s += "b"
		}
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return nil, &findError{fmt.Sprintf("invalid argument `%s' to `-size'", v)}
	}
	return func(f *findRun, e *findEntry) bool {
		size := e.fi.Size()
		if e.fi.IsDir() {
			size = lsSize(e.fi)
		}
		units := (size + unit - 1) / unit
		return findCompare(cmp, units, n)
	}, nil
}

// findPrintf expands a -printf format for one entry.
func findPrintf(f *findRun, format string, e *findEntry) string {
	format = fileUnescape(strings.ReplaceAll(format, `\c`, "\x00\x01"))
	if i := strings.Index(format, "\x00\x01"); i >= 0 {
		format = format[:i]
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		spec, j, ok := fmtDirective(format, i)
		if !ok {
			b.WriteString(format[i:])
			break
		}
		verb := format[j]
		i = j
		var val string
		numeric := false
		switch verb {
		case '%':
			b.WriteByte('%')
			continue
		case 'p':
			val = e.path
		case 'f':
			val = path.Base(e.path)
		case 'h':
			trimmed := strings.TrimSuffix(e.path, "/")
			if i := strings.LastIndexByte(trimmed, '/'); i > 0 {
				val = trimmed[:i]
			} else if i == 0 {
				val = "/"
			} else {
				val = "."
			}
		case 'P':
			val = strings.TrimPrefix(strings.TrimPrefix(e.path, e.start), "/")
		case 'H':
			val = e.start
		case 'd':
			val, numeric = strconv.Itoa(e.depth), true
		case 's':
			val, numeric = strconv.FormatInt(lsSize(e.fi), 10), true
		case 'k':
			val, numeric = strconv.FormatInt(lsBlocks(e.fi), 10), true
		case 'b':
			val, numeric = strconv.FormatInt(statBlocks(e.fi), 10), true
		case 'm':
			val = strconv.FormatUint(uint64(providers.UnixMode(e.fi.Mode())), 8)
		case 'M':
			val = fileModeString(e.fi.Mode())
		case 'y':
			val = string(findTypeChar(e.fi))
		case 'Y':
			fi := e.fi
			if fileIsLink(fi) {
				if t, err := f.env.FS.Stat(e.abs); err == nil {
					fi = t
				} else {
					val = "N"
					break
				}
			}
			val = string(findTypeChar(fi))
		case 'l':
			if fileIsLink(e.fi) {
				val, _ = fileReadlink(f.env.FS, e.abs)
			}
		case 'u', 'g':
			val = fileUserName
		case 'U', 'G':
			val, numeric = strconv.Itoa(fileUID), true
		case 'n':
			val, numeric = strconv.Itoa(lsLinks(e.fi)), true
		case 'i':
			val, numeric = strconv.FormatInt(statInode(e.fi), 10), true
		case 'a', 'c', 't':
			val = findFracTime(e.fi.ModTime().In(f.loc))
		case 'A', 'C', 'T':
			if i+1 >= len(format) {
				val = "%" + string(verb)
				break
			}
			i++
			val = findTimeField(e.fi.ModTime().In(f.loc), format[i])
		default:
			val = "%" + spec + string(verb)
			b.WriteString(val)
			continue
		}
		fmtPad(&b, spec, val, numeric)
	}
	return b.String()
}

// findFracTime is -printf's %t: ctime(3) style with ten fractional digits.
func findFracTime(t time.Time) string {
	return fmt.Sprintf("%s.%09d0 %d", t.Format("Mon Jan _2 15:04:05"), t.Nanosecond(), t.Year())
}

// findTimeField is one field of -printf's %Tk.
func findTimeField(t time.Time, k byte) string {
	switch k {
	case '@':
		return fmt.Sprintf("%d.%09d0", t.Unix(), t.Nanosecond())
	case '+':
		return t.Format("2006-01-02+15:04:05.") + fmt.Sprintf("%09d0", t.Nanosecond())
	case 'c':
		return t.Format("Mon Jan _2 15:04:05 2006")
	case 'D':
		return t.Format("01/02/06")
	case 'F':
		return t.Format("2006-01-02")
	case 'T':
		return t.Format("15:04:05.") + fmt.Sprintf("%09d0", t.Nanosecond())
	case 'Y':
		return t.Format("2006")
	case 'y':
		return t.Format("06")
	case 'm':
		return t.Format("01")
	case 'd':
		return t.Format("02")
	case 'H':
		return t.Format("15")
	case 'M':
		return t.Format("04")
	case 'S':
		return fmt.Sprintf("%02d.%09d0", t.Second(), t.Nanosecond())
	case 'b', 'h':
		return t.Format("Jan")
	case 'a':
		return t.Format("Mon")
	case 'j':
		return fmt.Sprintf("%03d", t.YearDay())
	case 's':
		return strconv.FormatInt(t.Unix(), 10)
	}
	return "%T" + string(k)
}
