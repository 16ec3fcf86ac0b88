package coreutils

import (
	"bufio"
	"context"
	"strings"
	"unicode/utf8"
)

var columnSpec = optSpec{
	withArg: "sco",
	noArg:   "tnxe",
	long: map[string]string{"table": "t", "separator=": "s", "output-separator=": "o",
		"output-width=": "c", "fillrows": "x"},
}

// column formats input into a table (-t) or columns.
func column(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], columnSpec)
	if err != nil {
		return usageErr(env, "column", err, 1)
	}
	table, seps, osep := false, " \t", "  "
	for _, o := range opts {
		switch o.name {
		case "t":
			table = true
		case "s":
			seps = unescapeC(o.val)
		case "o":
			osep = unescapeC(o.val)
		}
	}
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	var lines []string
	for _, op := range ops {
		data, err := readAllInput(ctx, env, op)
		if err != nil {
			env.Errorf("column", "%s: %s", op, textErrText(err))
			return 1
		}
		for _, l := range splitLines(string(data)) {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	if !table {
		// Without -t, fill columns across an 80-column page.
		width := 0
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > width {
				width = n
			}
		}
		width = (width + 8) &^ 7
		if width == 0 {
			return 0
		}
		cols := 80 / width
		if cols < 1 {
			cols = 1
		}
		rows := (len(lines) + cols - 1) / cols
		for r := 0; r < rows; r++ {
			var b strings.Builder
			for c := 0; c < cols; c++ {
				i := c*rows + r
				if i >= len(lines) {
					break
				}
				b.WriteString(lines[i])
				if (c+1)*rows+r < len(lines) {
					n := utf8.RuneCountInString(lines[i])
					for n < width {
						b.WriteByte('\t')
						n = (n + 8) &^ 7
					}
				}
			}
			out.WriteString(b.String())
			out.WriteByte('\n')
		}
		return 0
	}
	var rows [][]string
	var widths []int
	for _, l := range lines {
		cells := strings.FieldsFunc(l, func(r rune) bool { return strings.ContainsRune(seps, r) })
		for i, c := range cells {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			if n := utf8.RuneCountInString(c); n > widths[i] {
				widths[i] = n
			}
		}
		rows = append(rows, cells)
	}
	for _, cells := range rows {
		for i, c := range cells {
			out.WriteString(c)
			if i < len(cells)-1 {
				out.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)))
				out.WriteString(osep)
			}
		}
		out.WriteByte('\n')
	}
	return 0
}
