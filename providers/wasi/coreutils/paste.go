package coreutils

import (
	"bufio"
	"context"
)

var pasteSpec = optSpec{
	withArg: "d",
	noArg:   "sz",
	long:    map[string]string{"delimiters=": "d", "serial": "s", "zero-terminated": "z"},
}

// paste merges lines of files.
func paste(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], pasteSpec)
	if err != nil {
		return usageErr(env, "paste", err, 1)
	}
	delims := []string{"\t"}
	serial := false
	for _, o := range opts {
		switch o.name {
		case "d":
			delims = pasteDelims(o.val)
		case "s":
			serial = true
		}
	}
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	readers := make([]*lineReader, len(ops))
	var stdinLR *lineReader
	for i, op := range ops {
		if op == "-" {
			if stdinLR == nil {
				stdinLR = newLineReader(ctxReader{ctx, env.Stdin})
			}
			readers[i] = stdinLR
			continue
		}
		r, err := openInput(ctx, env, op)
		if err != nil {
			out.Flush()
			env.Errorf("paste", "%s: %s", op, textErrText(err))
			return 1
		}
		defer r.Close()
		readers[i] = newLineReader(r)
	}
	delim := func(i int) string {
		if len(delims) == 0 {
			return ""
		}
		return delims[i%len(delims)]
	}
	if serial {
		for _, lr := range readers {
			n := 0
			for {
				line, _, ok, _ := lr.next()
				if !ok {
					break
				}
				if n > 0 {
					out.WriteString(delim(n - 1))
				}
				out.WriteString(line)
				n++
			}
			out.WriteByte('\n')
		}
		return 0
	}
	done := make([]bool, len(readers))
	for {
		if ctx.Err() != nil {
			return 1
		}
		any := false
		var lineBuf []byte
		for i, lr := range readers {
			if i > 0 {
				lineBuf = append(lineBuf, delim(i-1)...)
			}
			if done[i] {
				continue
			}
			line, _, ok, _ := lr.next()
			if !ok {
				done[i] = true
				continue
			}
			any = true
			lineBuf = append(lineBuf, line...)
		}
		if !any {
			return 0
		}
		out.Write(lineBuf)
		out.WriteByte('\n')
	}
}

func pasteDelims(s string) []string {
	var res []string
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n':
				res = append(res, "\n")
			case 't':
				res = append(res, "\t")
			case '0':
				res = append(res, "")
			case '\\':
				res = append(res, "\\")
			default:
				res = append(res, string(s[i]))
			}
			continue
		}
		res = append(res, string(s[i]))
	}
	return res
}
