package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

var xargsSpec = optSpec{
	withArg:       "nILdPsEa",
	noArg:         "0rtxp",
	stopAtOperand: true,
	long: map[string]string{
		"null": "0", "delimiter=": "d", "max-args=": "n", "max-lines=": "L",
		"replace=": "I", "no-run-if-empty": "r", "verbose": "t", "max-procs=": "P",
		"max-chars=": "s", "exit": "x", "eof=": "E", "arg-file=": "a", "interactive": "p",
	},
}

// xargs builds command lines from its input and runs them through the
// session's command lookup.
func xargs(ctx context.Context, env *Env, args []string) int {
	opts, cmd, err := parseOpts(args[1:], xargsSpec)
	if err != nil {
		return usageErr(env, "xargs", err, 1)
	}
	maxArgs, maxLines := 0, 0
	replace := ""
	delim := -1 // -1: blanks and quotes
	noEmpty, trace := false, false
	eof := ""
	argFile := ""
	for _, o := range opts {
		switch o.name {
		case "n", "L", "P", "s":
			n, err := strconv.Atoi(o.val)
			if err != nil || n < 0 || (n == 0 && o.name != "P") {
				env.Errorf("xargs", "invalid number \"%s\" for -%s option", o.val, o.name)
				return 1
			}
			switch o.name {
			case "n":
				maxArgs = n
			case "L":
				maxLines = n
			}
		case "I":
			replace = o.val
			maxLines = 1
		case "0":
			delim = 0
		case "d":
			d := unescapeC(o.val)
			if len(d) != 1 {
				env.Errorf("xargs", "invalid input delimiter specification %s: the delimiter must be either a single character or an escape sequence starting with \\.", o.val)
				return 1
			}
			delim = int(d[0])
		case "r":
			noEmpty = true
		case "t", "p":
			trace = true
		case "E":
			eof = o.val
		case "a":
			argFile = o.val
		}
	}
	if len(cmd) == 0 {
		cmd = []string{"echo"}
	}
	var src io.Reader = ctxReader{ctx, env.Stdin}
	if argFile != "" {
		r, err := openInput(ctx, env, argFile)
		if err != nil {
			env.Errorf("xargs", "%s: %s", argFile, textErrText(err))
			return 1
		}
		defer r.Close()
		src = r
	}
	br := bufio.NewReader(src)
	// items are the input arguments; lineEnds marks where input lines end
	// (for -L and -I).
	var items []string
	var lineEnds []int
	if delim >= 0 {
		for {
			s, err := br.ReadString(byte(delim))
			if len(s) > 0 {
				items = append(items, strings.TrimSuffix(s, string(rune(delim))))
				lineEnds = append(lineEnds, len(items))
			}
			if err != nil {
				break
			}
		}
	} else if replace != "" {
		lr := newLineReader(br)
		for {
			line, _, ok, _ := lr.next()
			if !ok {
				break
			}
			line = strings.TrimLeft(line, " \t")
			if line == "" {
				continue
			}
			if eof != "" && line == eof {
				break
			}
			items = append(items, line)
			lineEnds = append(lineEnds, len(items))
		}
	} else {
		var err error
		items, lineEnds, err = xargsSplit(br, eof)
		if err != nil {
			env.Errorf("xargs", "%s", err)
			return 1
		}
	}
	status := 0
	run := func(argv []string) bool {
		if ctx.Err() != nil {
			status = 125
			return false
		}
		if trace {
			fmt.Fprintln(env.Stderr, strings.Join(argv, " "))
		}
		if env.Exec == nil {
			env.Errorf("xargs", "%s: No such file or directory", argv[0])
			status = 127
			return false
		}
		st := env.Exec(ctx, argv)
		switch {
		case st == 0:
		case st == 127 || st == 126:
			status = st
			return false
		case st == 255:
			env.Errorf("xargs", "%s: exited with status 255; aborting", argv[0])
			status = 124
			return false
		case st >= 128:
			status = 125
			return false
		default:
			status = 123
		}
		return true
	}
	if len(items) == 0 {
		if !noEmpty && replace == "" {
			run(cmd)
		}
		return status
	}
	if replace != "" {
		for _, it := range items {
			argv := make([]string, len(cmd))
			for i, a := range cmd {
				argv[i] = strings.ReplaceAll(a, replace, it)
			}
			if !run(argv) {
				break
			}
		}
		return status
	}
	// Group the items.
	var groups [][]string
	switch {
	case maxLines > 0:
		start, lines := 0, 0
		for _, end := range lineEnds {
			lines++
			if lines == maxLines {
				groups = append(groups, items[start:end])
				start, lines = end, 0
			}
		}
		if start < len(items) {
			groups = append(groups, items[start:])
		}
	case maxArgs > 0:
		for i := 0; i < len(items); i += maxArgs {
			end := min(i+maxArgs, len(items))
			groups = append(groups, items[i:end])
		}
	default:
		groups = [][]string{items}
	}
	for _, g := range groups {
		argv := append(append([]string(nil), cmd...), g...)
		if !run(argv) {
			break
		}
	}
	return status
}

// xargsSplit splits input at blanks and newlines, honouring quotes and
// backslashes as xargs does.
func xargsSplit(br *bufio.Reader, eof string) (items []string, lineEnds []int, err error) {
	var cur strings.Builder
	have := false
	var quote rune
	flush := func() bool {
		if have {
			s := cur.String()
			if eof != "" && s == eof {
				return false
			}
			items = append(items, s)
			cur.Reset()
			have = false
		}
		return true
	}
	for {
		r, _, e := br.ReadRune()
		if e != nil {
			break
		}
		if quote != 0 {
			if r == quote {
				quote = 0
				continue
			}
			if r == '\n' {
				q := "double"
				if quote == '\'' {
					q = "single"
				}
				return nil, nil, fmt.Errorf("unmatched %s quote; by default quotes are special to xargs unless you use the -0 option", q)
			}
			cur.WriteRune(r)
			continue
		}
		switch r {
		case '\'', '"':
			quote = r
			have = true
		case '\\':
			n, _, e := br.ReadRune()
			if e == nil {
				cur.WriteRune(n)
				have = true
			}
		case ' ', '\t':
			if !flush() {
				return items, append(lineEnds, len(items)), nil
			}
		case '\n':
			if !flush() {
				return items, append(lineEnds, len(items)), nil
			}
			if len(lineEnds) == 0 || lineEnds[len(lineEnds)-1] != len(items) {
				lineEnds = append(lineEnds, len(items))
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if quote != 0 {
		q := "double"
		if quote == '\'' {
			q = "single"
		}
		return nil, nil, fmt.Errorf("unmatched %s quote; by default quotes are special to xargs unless you use the -0 option", q)
	}
	flush()
	if len(lineEnds) == 0 || lineEnds[len(lineEnds)-1] != len(items) {
		lineEnds = append(lineEnds, len(items))
	}
	return items, lineEnds, nil
}
