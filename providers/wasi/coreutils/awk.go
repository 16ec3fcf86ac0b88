package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// awk runs an awk program: the POSIX language with the common gawk
// additions (gensub, match with an array, length of arrays, nextfile,
// fflush). Pipes (print | "cmd", "cmd" | getline) run through the session's
// command lookup as "sh -c cmd"; system() is refused.
func awk(ctx context.Context, env *Env, args []string) int {
	var progSrc []string
	var assigns []string
	fs := ""
	haveFS := false
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		switch {
		case strings.HasPrefix(a, "-F"):
			v := a[2:]
			if v == "" {
				if i+1 >= len(args) {
					env.Errorf("awk", "option requires an argument -- 'F'")
					return 2
				}
				i++
				v = args[i]
			}
			fs, haveFS = v, true
		case strings.HasPrefix(a, "-v"):
			v := a[2:]
			if v == "" {
				if i+1 >= len(args) {
					env.Errorf("awk", "option requires an argument -- 'v'")
					return 2
				}
				i++
				v = args[i]
			}
			if eq := strings.IndexByte(v, '='); eq <= 0 || !awkIsName(v[:eq]) {
				env.Errorf("awk", "improper assignment: -v %s", v)
				return 2
			}
			assigns = append(assigns, v)
		case strings.HasPrefix(a, "-f"):
			v := a[2:]
			if v == "" {
				if i+1 >= len(args) {
					env.Errorf("awk", "option requires an argument -- 'f'")
					return 2
				}
				i++
				v = args[i]
			}
			data, err := readAllInput(ctx, env, v)
			if err != nil {
				env.Errorf("awk", "couldn't open file %s: %s", v, textErrText(err))
				return 2
			}
			progSrc = append(progSrc, string(data))
		case a == "--version" || a == "-V" || a == "-Wversion" || a == "-W":
			if a == "-W" && i+1 < len(args) {
				i++
			}
			if a != "-W" {
				fmt.Fprintln(env.Stdout, "awk (wsbx) 1.0")
				return 0
			}
		default:
			env.Errorf("awk", "not an option: %s", a)
			return 2
		}
	}
	if progSrc == nil {
		if i >= len(args) {
			fmt.Fprintln(env.Stderr, "usage: awk [-F value] [-v var=value] [--] 'program text' [file ...]\n       awk [-F value] [-v var=value] [-f program-file] [--] [file ...]")
			return 2
		}
		progSrc = append(progSrc, args[i])
		i++
	}
	prog, err := parseAwk(strings.Join(progSrc, "\n"))
	if err != nil {
		env.Errorf("awk", "%s", err)
		return 2
	}
	in := &awkInterp{
		ctx: ctx, env: env, prog: prog,
		globals:     map[string]*awkCell{},
		outputs:     map[string]*awkOutput{},
		inputs:      map[string]*awkRecReader{},
		reCache:     map[string]*regexp.Regexp{},
		arrayParams: awkArrayParams(prog),
	}
	in.out = bufio.NewWriterSize(env.Stdout, textBufSize)
	for name, v := range map[string]string{
		"FS": " ", "OFS": " ", "ORS": "\n", "RS": "\n", "SUBSEP": "\x1c",
		"CONVFMT": "%.6g", "OFMT": "%.6g", "FILENAME": "",
	} {
		in.global(name).v = awkStr(v)
	}
	in.global("RSTART").v = awkNum(0)
	in.global("RLENGTH").v = awkNum(-1)
	if haveFS {
		if fs == "t" {
			fs = "\t"
		}
		in.global("FS").v = awkStr(unescapeAwk(fs))
	}
	environ := in.array(&aVar{name: "ENVIRON", local: -1})
	if env.Environ != nil {
		for _, kv := range env.Environ() {
			if k, v, ok := strings.Cut(kv, "="); ok {
				environ[k] = awkStrNum(v)
			}
		}
	}
	argv := in.array(&aVar{name: "ARGV", local: -1})
	argv["0"] = awkStr("awk")
	for k, a := range args[i:] {
		argv[strconv.Itoa(k+1)] = awkStrNum(a)
	}
	in.global("ARGC").v = awkNum(float64(len(args[i:]) + 1))
	for _, a := range assigns {
		eq := strings.IndexByte(a, '=')
		in.global(a[:eq]).v = awkStrNum(unescapeAwk(a[eq+1:]))
	}
	return in.run()
}

func (in *awkInterp) run() (status int) {
	defer func() {
		in.out.Flush()
		names := make([]string, 0, len(in.outputs))
		for name := range in.outputs {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if in.ctx.Err() == nil || in.outputs[name].pipe == nil {
				in.closeOutput(in.outputs[name])
			}
		}
		for _, r := range in.inputs {
			if r.closer != nil {
				r.closer.Close()
			}
		}
		if in.cur != nil && in.cur.closer != nil {
			in.cur.closer.Close()
		}
		if r := recover(); r != nil {
			e, ok := r.(*awkError)
			if !ok {
				panic(r)
			}
			if in.ctx.Err() != nil {
				status = 2
				return
			}
			in.env.Errorf("awk", "%s", e.msg)
			status = 2
		}
	}()
	exiting := false
	for _, it := range in.prog.begin {
		if in.runAction(it.body) == cExit {
			exiting = true
			break
		}
	}
	if !exiting && (len(in.prog.main) > 0 || len(in.prog.end) > 0) {
	records:
		for {
			if outFailed(in.out) {
				return 2
			}
			s, ok := in.nextMainRecord()
			if !ok {
				break
			}
			in.setRecord(s)
			for _, it := range in.prog.main {
				if !in.matches(it) {
					continue
				}
				var c awkCtrl
				if it.body == nil {
					in.out.WriteString(in.record)
					in.out.WriteString(in.getStrFast("ORS", "\n"))
				} else {
					c = in.runAction(it.body)
				}
				switch c {
				case cNext:
					continue records
				case cNextFile:
					if in.cur != nil && in.cur.closer != nil {
						in.cur.closer.Close()
					}
					in.cur = nil
					continue records
				case cExit:
					exiting = true
					break records
				}
			}
		}
	}
	_ = exiting
	for _, it := range in.prog.end {
		if in.runAction(it.body) == cExit {
			break
		}
	}
	return in.exitCode
}

// runAction runs a block, turning exit and next raised inside functions
// into control values.
func (in *awkInterp) runAction(b sBlock) (c awkCtrl) {
	defer func() {
		if r := recover(); r != nil {
			switch r.(type) {
			case awkExitSignal:
				in.frames = in.frames[:0]
				c = cExit
			case awkNextSignal:
				in.frames = in.frames[:0]
				c = cNext
			default:
				panic(r)
			}
		}
	}()
	return in.execBlock(b)
}

func (in *awkInterp) matches(it *awkItem) bool {
	if it.pattern == nil {
		return true
	}
	if !it.isRange {
		return toBool(in.eval(it.pattern))
	}
	if !it.inRange {
		if !toBool(in.eval(it.pattern)) {
			return false
		}
		it.inRange = !toBool(in.eval(it.pat2))
		return true
	}
	if toBool(in.eval(it.pat2)) {
		it.inRange = false
	}
	return true
}

// awkArrayParams reports, per function, which parameters are used as
// arrays in its body.
func awkArrayParams(prog *awkProgram) map[string][]bool {
	res := map[string][]bool{}
	for name, f := range prog.funcs {
		flags := make([]bool, len(f.params))
		mark := func(v *aVar) {
			if v != nil && v.local >= 0 && v.local < len(flags) {
				flags[v.local] = true
			}
		}
		var walkE func(e awkExpr)
		var walkS func(s awkStmt)
		walkE = func(e awkExpr) {
			switch x := e.(type) {
			case *aIndex:
				mark(x.arr)
				for _, i := range x.idx {
					walkE(i)
				}
			case *aIn:
				mark(x.arr)
				for _, i := range x.idx {
					walkE(i)
				}
			case *aBuiltin:
				if (x.name == "split" && len(x.args) >= 2) || (x.name == "match" && len(x.args) == 3) {
					if v, ok := x.args[len(x.args)-1].(*aVar); ok && x.name == "match" {
						mark(v)
					}
					if v, ok := x.args[1].(*aVar); ok && x.name == "split" {
						mark(v)
					}
				}
				for _, a := range x.args {
					walkE(a)
				}
			case *aCall:
				for _, a := range x.args {
					walkE(a)
				}
			case *aAssign:
				walkE(x.lhs)
				walkE(x.rhs)
			case *aCond:
				walkE(x.c)
				walkE(x.a)
				walkE(x.b)
			case *aBin:
				walkE(x.l)
				walkE(x.r)
			case *aUnary:
				walkE(x.e)
			case *aIncDec:
				walkE(x.lhs)
			case *aMatch:
				walkE(x.l)
				walkE(x.r)
			case *aField:
				walkE(x.idx)
			case *aGroup:
				walkE(x.e)
			case *aGetline:
				if x.lhs != nil {
					walkE(x.lhs)
				}
				if x.src != nil {
					walkE(x.src)
				}
			}
		}
		walkS = func(s awkStmt) {
			switch x := s.(type) {
			case sBlock:
				for _, t := range x {
					walkS(t)
				}
			case *sExpr:
				walkE(x.e)
			case *sPrint:
				for _, a := range x.args {
					walkE(a)
				}
			case *sIf:
				walkE(x.c)
				walkS(x.then)
				if x.els != nil {
					walkS(x.els)
				}
			case *sWhile:
				walkE(x.c)
				walkS(x.body)
			case *sDo:
				walkE(x.c)
				walkS(x.body)
			case *sFor:
				if x.init != nil {
					walkS(x.init)
				}
				if x.c != nil {
					walkE(x.c)
				}
				if x.post != nil {
					walkS(x.post)
				}
				walkS(x.body)
			case *sForIn:
				mark(x.arr)
				walkS(x.body)
			case *sDelete:
				mark(x.arr)
			case *sExit:
				if x.e != nil {
					walkE(x.e)
				}
			case *sReturn:
				if x.e != nil {
					walkE(x.e)
				}
			}
		}
		walkS(f.body)
		res[name] = flags
	}
	return res
}
