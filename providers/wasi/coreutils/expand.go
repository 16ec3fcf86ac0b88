package coreutils

import (
	"bufio"
	"context"
	"strconv"
	"strings"
)

var expandSpec = optSpec{
	withArg: "t",
	noArg:   "ia",
	digits:  true,
	long:    map[string]string{"tabs=": "t", "initial": "i", "all": "a", "first-only": "first-only"},
}

// tabStops parses a -t list: one size, or a list of positions.
func tabStops(s string) ([]int, error) {
	var stops []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, errString("tab size contains invalid character(s): '" + s + "'")
		}
		stops = append(stops, n)
	}
	return stops, nil
}

// nextStop returns the column of the next tab stop after col.
func nextStop(stops []int, col int) int {
	if len(stops) == 0 {
		return col + 8 - col%8
	}
	if len(stops) == 1 {
		return col + stops[0] - col%stops[0]
	}
	for _, s := range stops {
		if s > col {
			return s
		}
	}
	return col + 1
}

func expandParse(ctx context.Context, env *Env, args []string) (stops []int, initial, all bool, ops []string, status int) {
	opts, ops, err := parseOpts(args[1:], expandSpec)
	if err != nil {
		return nil, false, false, nil, usageErr(env, args[0], err, 1)
	}
	for _, o := range opts {
		switch o.name {
		case "t", "0":
			st, err := tabStops(o.val)
			if err != nil {
				env.Errorf(args[0], "%s", err)
				return nil, false, false, nil, 1
			}
			stops = append(stops, st...)
			all = true
		case "i":
			initial = true
		case "a":
			all = true
		case "first-only":
			all = false
		}
	}
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	return stops, initial, all, ops, -1
}

// expand converts tabs to spaces.
func expand(ctx context.Context, env *Env, args []string) int {
	stops, initial, _, ops, st := expandParse(ctx, env, args)
	if st >= 0 {
		return st
	}
	return eachLine(ctx, env, "expand", ops, func(out *bufio.Writer, line string) {
		col := 0
		leading := true
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '\t' && (!initial || leading) {
				n := nextStop(stops, col)
				out.WriteString(strings.Repeat(" ", n-col))
				col = n
				continue
			}
			if c != ' ' && c != '\t' {
				leading = false
			}
			out.WriteByte(c)
			if c == '\b' && col > 0 {
				col--
			} else {
				col++
			}
		}
	})
}

// unexpand converts runs of spaces to tabs.
func unexpand(ctx context.Context, env *Env, args []string) int {
	stops, _, all, ops, st := expandParse(ctx, env, args)
	if st >= 0 {
		return st
	}
	return eachLine(ctx, env, "unexpand", ops, func(out *bufio.Writer, line string) {
		col := 0
		pending := 0 // spaces not yet written
		leading := true
		for i := 0; i < len(line); i++ {
			c := line[i]
			if !leading && !all {
				if pending > 0 {
					out.WriteString(strings.Repeat(" ", pending))
					pending = 0
				}
				out.WriteString(line[i:])
				return
			}
			switch c {
			case ' ':
				pending++
				col++
				if nextStop(stops, col-1) == col {
					if pending > 1 {
						out.WriteByte('\t')
					} else {
						out.WriteByte(' ')
					}
					pending = 0
				}
			case '\t':
				out.WriteByte('\t')
				pending = 0
				col = nextStop(stops, col)
			default:
				if pending > 0 {
					out.WriteString(strings.Repeat(" ", pending))
					pending = 0
				}
				leading = false
				out.WriteByte(c)
				col++
			}
		}
		if pending > 0 {
			out.WriteString(strings.Repeat(" ", pending))
		}
	})
}
