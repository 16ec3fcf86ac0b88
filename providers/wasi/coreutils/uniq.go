package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

var uniqSpec = optSpec{
	withArg: "fsw",
	noArg:   "cduiDz",
	long: map[string]string{
		"count": "c", "repeated": "d", "unique": "u", "ignore-case": "i",
		"skip-fields=": "f", "skip-chars=": "s", "check-chars=": "w",
		"all-repeated": "D", "zero-terminated": "z",
	},
}

// uniq reports or omits repeated adjacent lines.
func uniq(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], uniqSpec)
	if err != nil {
		return usageErr(env, "uniq", err, 1)
	}
	count, dup, uniqOnly, icase, allRep := false, false, false, false, false
	skipF, skipC, checkC := 0, 0, -1
	for _, o := range opts {
		switch o.name {
		case "c":
			count = true
		case "d":
			dup = true
		case "u":
			uniqOnly = true
		case "i":
			icase = true
		case "D":
			allRep = true
		case "f", "s", "w":
			n, err := strconv.Atoi(o.val)
			if err != nil || n < 0 {
				env.Errorf("uniq", "%s: invalid number", o.val)
				return 1
			}
			switch o.name {
			case "f":
				skipF = n
			case "s":
				skipC = n
			default:
				checkC = n
			}
		}
	}
	in := "-"
	if len(ops) > 0 {
		in = ops[0]
	}
	r, err := openInput(ctx, env, in)
	if err != nil {
		env.Errorf("uniq", "%s: %s", in, textErrText(err))
		return 1
	}
	defer r.Close()
	var w io.Writer = env.Stdout
	if len(ops) > 1 && ops[1] != "-" {
		f, err := env.FS.Create(env.Abs(ops[1]))
		if err != nil {
			env.Errorf("uniq", "%s: %s", ops[1], textErrText(err))
			return 1
		}
		defer f.Close()
		w = f
	}
	out := bufio.NewWriter(w)
	defer out.Flush()
	key := func(l string) string {
		for i := 0; i < skipF; i++ {
			l = strings.TrimLeft(l, " \t")
			j := strings.IndexAny(l, " \t")
			if j < 0 {
				l = ""
				break
			}
			l = l[j:]
		}
		if skipC > len(l) {
			l = ""
		} else {
			l = l[skipC:]
		}
		if checkC >= 0 && checkC < len(l) {
			l = l[:checkC]
		}
		if icase {
			l = strings.ToLower(l)
		}
		return l
	}
	lr := newLineReader(r)
	var prev, prevKey string
	var group []string
	n := 0
	flush := func() {
		if n == 0 {
			return
		}
		if allRep {
			if n > 1 {
				for _, g := range group {
					out.WriteString(g)
					out.WriteByte('\n')
				}
			}
			return
		}
		if (dup && n < 2) || (uniqOnly && n > 1) {
			return
		}
		if count {
			fmt.Fprintf(out, "%7d ", n)
		}
		out.WriteString(prev)
		out.WriteByte('\n')
	}
	for {
		if outFailed(out) {
			break
		}
		line, _, ok, err := lr.next()
		if err != nil {
			env.Errorf("uniq", "%s: %s", in, textErrText(err))
			return 1
		}
		if !ok {
			break
		}
		k := key(line)
		if n > 0 && k == prevKey {
			n++
			if allRep {
				group = append(group, line)
			}
			continue
		}
		flush()
		prev, prevKey, n = line, k, 1
		group = append(group[:0], line)
	}
	flush()
	return 0
}
