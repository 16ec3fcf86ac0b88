package coreutils

import (
	"bufio"
	"context"
	"strconv"
	"strings"
)

var foldSpec = optSpec{
	withArg: "w",
	noArg:   "bs",
	digits:  true,
	long:    map[string]string{"width=": "w", "bytes": "b", "spaces": "s"},
}

// fold wraps lines to a width.
func fold(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], foldSpec)
	if err != nil {
		return usageErr(env, "fold", err, 1)
	}
	width, spaces, bytesMode := 80, false, false
	for _, o := range opts {
		switch o.name {
		case "w", "0":
			width, err = strconv.Atoi(o.val)
			if err != nil || width < 1 {
				env.Errorf("fold", "invalid number of columns: '%s'", o.val)
				return 1
			}
		case "s":
			spaces = true
		case "b":
			bytesMode = true
		}
	}
	return eachLine(ctx, env, "fold", ops, func(out *bufio.Writer, line string) {
		foldLine(out, line, width, spaces, bytesMode)
	})
}

func foldAdvance(col int, c byte, bytesMode bool) int {
	if bytesMode {
		return col + 1
	}
	switch c {
	case '\t':
		return col + 8 - col%8
	case '\b':
		if col > 0 {
			return col - 1
		}
		return 0
	case '\r':
		return 0
	}
	return col + 1
}

func foldLine(out *bufio.Writer, line string, width int, spaces, bytesMode bool) {
	col := 0
	var cur []byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		next := foldAdvance(col, c, bytesMode)
		if next > width && len(cur) > 0 {
			if spaces {
				if k := strings.LastIndexAny(string(cur), " \t"); k >= 0 {
					out.Write(cur[:k+1])
					out.WriteByte('\n')
					cur = append([]byte(nil), cur[k+1:]...)
					col = 0
					for _, b := range cur {
						col = foldAdvance(col, b, bytesMode)
					}
					i--
					continue
				}
			}
			out.Write(cur)
			out.WriteByte('\n')
			cur = cur[:0]
			col = 0
			i--
			continue
		}
		cur = append(cur, c)
		col = next
	}
	out.Write(cur)
}
