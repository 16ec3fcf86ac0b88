package coreutils

import (
	"bufio"
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
)

var cutSpec = optSpec{
	withArg: "dfcb",
	noArg:   "snz",
	long: map[string]string{
		"delimiter=": "d", "fields=": "f", "characters=": "c", "bytes=": "b",
		"only-delimited": "s", "complement": "complement",
		"output-delimiter=": "output-delimiter", "zero-terminated": "z",
	},
}

type cutRange struct{ lo, hi int } // 1-based, hi 0 = open end

// parseCutList parses a list such as "1,3-5,7-".
func parseCutList(s string) ([]cutRange, error) {
	var rs []cutRange
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			return nil, errors.New("fields and positions are numbered from 1")
		}
		lo, hi, isRange := strings.Cut(part, "-")
		var r cutRange
		var err error
		if lo == "" {
			r.lo = 1
		} else if r.lo, err = strconv.Atoi(lo); err != nil || r.lo < 1 {
			if err == nil {
				return nil, errors.New("fields and positions are numbered from 1")
			}
			return nil, errors.New("invalid field value '" + part + "'")
		}
		if !isRange {
			r.hi = r.lo
		} else if hi != "" {
			if r.hi, err = strconv.Atoi(hi); err != nil || r.hi < 1 {
				return nil, errors.New("invalid field range")
			}
			if r.hi < r.lo {
				return nil, errors.New("invalid decreasing range")
			}
		} else if lo == "" {
			return nil, errors.New("invalid range with no endpoint: -")
		}
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].lo < rs[j].lo })
	return rs, nil
}

func cutSelected(rs []cutRange, i int, complement bool) bool {
	in := false
	for _, r := range rs {
		if i >= r.lo && (r.hi == 0 || i <= r.hi) {
			in = true
			break
		}
	}
	return in != complement
}

// cut prints selected parts of lines.
func cut(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], cutSpec)
	if err != nil {
		return usageErr(env, "cut", err, 1)
	}
	delim := "\t"
	mode, list := "", ""
	onlyDelim, complement := false, false
	outDelim, haveOutDelim := "", false
	for _, o := range opts {
		switch o.name {
		case "d":
			if len(o.val) != 1 {
				return usageErr(env, "cut", errors.New("the delimiter must be a single character"), 1)
			}
			delim = o.val
		case "f", "c", "b":
			if mode != "" {
				return usageErr(env, "cut", errors.New("only one type of list may be specified"), 1)
			}
			mode, list = o.name, o.val
		case "n":
		case "s":
			onlyDelim = true
		case "complement":
			complement = true
		case "output-delimiter":
			outDelim, haveOutDelim = o.val, true
		}
	}
	if mode == "" {
		return usageErr(env, "cut", errors.New("you must specify a list of bytes, characters, or fields"), 1)
	}
	rs, err := parseCutList(list)
	if err != nil {
		return usageErr(env, "cut", err, 1)
	}
	if !haveOutDelim {
		if mode == "f" {
			outDelim = delim
		}
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	return readLines(ctx, env, "cut", "", ops, out, true, func(line string, _ bool) {
		if mode == "f" {
			if !strings.Contains(line, delim) {
				if !onlyDelim {
					out.WriteString(line)
					out.WriteByte('\n')
				}
				return
			}
			fields := strings.Split(line, delim)
			first := true
			for i, f := range fields {
				if cutSelected(rs, i+1, complement) {
					if !first {
						out.WriteString(outDelim)
					}
					out.WriteString(f)
					first = false
				}
			}
			out.WriteByte('\n')
			return
		}
		// GNU cut counts -c in bytes, like -b.
		units := make([]string, 0, len(line))
		for i := 0; i < len(line); i++ {
			units = append(units, line[i:i+1])
		}
		prevSel := false
		for i, u := range units {
			sel := cutSelected(rs, i+1, complement)
			if sel {
				if haveOutDelim && !prevSel && i > 0 && cutAnyBefore(rs, i, complement) {
					out.WriteString(outDelim)
				}
				out.WriteString(u)
			}
			prevSel = sel
		}
		out.WriteByte('\n')
	})
}

func cutAnyBefore(rs []cutRange, i int, complement bool) bool {
	for j := 1; j <= i; j++ {
		if cutSelected(rs, j, complement) {
			return true
		}
	}
	return false
}
