package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var nlSpec = optSpec{
	withArg: "bvwisnhfdl",
	noArg:   "p",
	long: map[string]string{
		"body-numbering=": "b", "starting-line-number=": "v", "number-width=": "w",
		"line-increment=": "i", "number-separator=": "s", "number-format=": "n",
		"header-numbering=": "h", "footer-numbering=": "f", "section-delimiter=": "d",
		"join-blank-lines=": "l", "no-renumber": "p",
	},
}

// nl numbers lines.
func nl(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], nlSpec)
	if err != nil {
		return usageErr(env, "nl", err, 1)
	}
	style, start, width, incr, sep, format := "t", 1, 6, 1, "\t", "rn"
	var re *regexp.Regexp
	for _, o := range opts {
		var n int
		if strings.Contains("vwil", o.name) {
			n, err = strconv.Atoi(o.val)
			if err != nil {
				env.Errorf("nl", "invalid line number: '%s'", o.val)
				return 1
			}
		}
		switch o.name {
		case "b":
			style = o.val
			if strings.HasPrefix(style, "p") {
				re, err = compileRE(style[1:], false, "")
				if err != nil {
					env.Errorf("nl", "%s", err)
					return 1
				}
				style = "p"
			} else if style != "a" && style != "t" && style != "n" {
				env.Errorf("nl", "invalid body numbering style: '%s'", o.val)
				return 1
			}
		case "v":
			start = n
		case "w":
			width = n
		case "i":
			incr = n
		case "s":
			sep = o.val
		case "n":
			if o.val != "ln" && o.val != "rn" && o.val != "rz" {
				env.Errorf("nl", "invalid line numbering format: '%s'", o.val)
				return 1
			}
			format = o.val
		}
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	num := start
	return readLines(ctx, env, "nl", "", ops, out, false, func(line string, hasNL bool) {
		number := false
		switch style {
		case "a":
			number = true
		case "t":
			number = line != ""
		case "p":
			number = re.MatchString(line)
		}
		if number {
			switch format {
			case "ln":
				fmt.Fprintf(out, "%-*d", width, num)
			case "rz":
				fmt.Fprintf(out, "%0*d", width, num)
			default:
				fmt.Fprintf(out, "%*d", width, num)
			}
			out.WriteString(sep)
			num += incr
		} else {
			out.WriteString(strings.Repeat(" ", width))
			out.WriteString(sep)
		}
		out.WriteString(line)
		if hasNL {
			out.WriteByte('\n')
		}
	})
}
