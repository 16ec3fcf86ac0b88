package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// wcCounts are the counts of one input.
type wcCounts struct {
	lines, words, chars, bytes, maxLine int64
}

// cmdWc is wc: count lines, words and bytes.
func cmdWc(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "lwcmL",
		long:  map[string]string{"lines": "l", "words": "w", "bytes": "c", "chars": "m", "max-line-length": "L"},
	}, args)
	if !ok {
		return 1
	}
	show := map[string]bool{}
	for _, k := range []string{"l", "w", "c", "m", "L"} {
		show[k] = f.has(k)
	}
	if !show["l"] && !show["w"] && !show["c"] && !show["m"] && !show["L"] {
		show["l"], show["w"], show["c"] = true, true, true
	}
	files := f.operands
	implicit := len(files) == 0
	if implicit {
		files = []string{"-"}
	}
	type result struct {
		name   string
		c      wcCounts
		failed bool
		dir    bool
	}
	results := make([]result, 0, len(files))
	var total wcCounts
	status := 0
	for _, name := range files {
		if ctx.Err() != nil {
			return 1
		}
		res := result{name: name}
		r, closeFn, err := fileOpenInput(env, name)
		if err != nil {
			if isDirErr(err) {
				res.dir = true
				env.Errorf(args[0], "%s: %s", name, errText(err))
			} else {
				res.failed = true
				env.Errorf(args[0], "%s: %s", name, errText(err))
			}
			status = 1
			results = append(results, res)
			continue
		}
		res.c, err = wcCount(fileCtxReader{ctx, r})
		closeFn()
		if err != nil {
			if ctx.Err() != nil {
				return 1
			}
			env.Errorf(args[0], "%s: %s", name, errText(err))
			status = 1
		}
		total.lines += res.c.lines
		total.words += res.c.words
		total.chars += res.c.chars
		total.bytes += res.c.bytes
		total.maxLine = max(total.maxLine, res.c.maxLine)
		results = append(results, res)
	}
	// The column width follows GNU: wide enough for the total size of the
	// regular files, at least 7 when an input is not a regular file, and 1
	// for a single count of a single input.
	width := 1
	nshown := 0
	for _, v := range show {
		if v {
			nshown++
		}
	}
	if !(nshown == 1 && len(files) == 1) && !results[0].failed {
		minw := 1
		var size int64
		for _, r := range results {
			switch {
			case r.failed:
			case r.name == "-" || r.dir:
				minw = 7
			default:
				if fi, err := env.FS.Stat(env.Abs(r.name)); err == nil && fi.Mode().IsRegular() {
					size += fi.Size()
				} else {
					minw = 7
				}
			}
		}
		width = max(len(strconv.FormatInt(size, 10)), minw)
	}
	w := bufio.NewWriter(env.Stdout)
	line := func(c wcCounts, name string) {
		var parts []string
		add := func(k string, v int64) {
			if show[k] {
				parts = append(parts, fmt.Sprintf("%*d", width, v))
			}
		}
		add("l", c.lines)
		add("w", c.words)
		add("m", c.chars)
		add("c", c.bytes)
		add("L", c.maxLine)
		s := strings.Join(parts, " ")
		if name != "" {
			s += " " + name
		}
		w.WriteString(s + "\n")
	}
	for _, r := range results {
		if r.failed {
			continue
		}
		name := r.name
		if implicit {
			name = ""
		}
		line(r.c, name)
	}
	if len(files) > 1 {
		line(total, "total")
	}
	if w.Flush() != nil {
		return 1
	}
	return status
}

// wcCount counts r.
func wcCount(r io.Reader) (wcCounts, error) {
	var c wcCounts
	br := bufio.NewReaderSize(r, fileChunk)
	inWord := false
	var lineLen int64
	for {
		ru, size, err := br.ReadRune()
		if err == io.EOF {
			break
		}
		if err != nil {
			return c, err
		}
		c.bytes += int64(size)
		c.chars++
		switch {
		case ru == '\n':
			c.lines++
			c.maxLine = max(c.maxLine, lineLen)
			lineLen = 0
		case ru == '\t':
			lineLen += 8 - lineLen%8
		case ru == utf8.RuneError && size == 1:
		case unicode.IsPrint(ru):
			lineLen++
		}
		if unicode.IsSpace(ru) {
			inWord = false
		} else if !inWord && (unicode.IsPrint(ru) || ru == utf8.RuneError) {
			inWord = true
			c.words++
		}
	}
	c.maxLine = max(c.maxLine, lineLen)
	return c, nil
}
