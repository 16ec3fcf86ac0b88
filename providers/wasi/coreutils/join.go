package coreutils

import (
	"bufio"
	"context"
	"strconv"
	"strings"
)

var joinSpec = optSpec{
	withArg: "12tavoej",
	noArg:   "i",
	long:    map[string]string{"ignore-case": "i", "check-order": "check-order", "nocheck-order": "nocheck-order", "header": "header"},
}

// join joins lines of two sorted files on a common field.
func join(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], joinSpec)
	if err != nil {
		return usageErr(env, "join", err, 1)
	}
	f1, f2 := 1, 1
	sep := ""
	var show [3]bool
	onlyUnpaired := false
	var format []string
	empty, haveEmpty := "", false
	icase := false
	for _, o := range opts {
		switch o.name {
		case "1", "2", "j":
			n, err := strconv.Atoi(o.val)
			if err != nil || n < 1 {
				env.Errorf("join", "invalid field number: '%s'", o.val)
				return 1
			}
			if o.name != "2" {
				f1 = n
			}
			if o.name != "1" {
				f2 = n
			}
		case "t":
			sep = o.val
		case "a", "v":
			if o.val != "1" && o.val != "2" {
				env.Errorf("join", "invalid field number: '%s'", o.val)
				return 1
			}
			show[o.val[0]-'0'] = true
			if o.name == "v" {
				onlyUnpaired = true
			}
		case "o":
			format = append(format, strings.FieldsFunc(o.val, func(r rune) bool { return r == ',' || r == ' ' })...)
		case "e":
			empty, haveEmpty = o.val, true
		case "i":
			icase = true
		}
	}
	if len(ops) != 2 {
		if len(ops) < 2 {
			return usageErr(env, "join", errString("missing operand"), 1)
		}
		return usageErr(env, "join", errString("extra operand '"+ops[2]+"'"), 1)
	}
	var files [2][][]string
	for i, op := range ops {
		data, err := readAllInput(ctx, env, op)
		if err != nil {
			env.Errorf("join", "%s: %s", op, textErrText(err))
			return 1
		}
		for _, l := range splitLines(string(data)) {
			var fs []string
			if sep == "" {
				fs = strings.Fields(l)
			} else {
				fs = strings.Split(l, sep)
			}
			files[i] = append(files[i], fs)
		}
	}
	osep := sep
	if osep == "" {
		osep = " "
	}
	field := func(fs []string, n int) string {
		if n-1 < len(fs) {
			return fs[n-1]
		}
		return ""
	}
	key := func(fs []string, n int) string {
		k := field(fs, n)
		if icase {
			k = strings.ToLower(k)
		}
		return k
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	emit := func(a, b []string) {
		var parts []string
		if format != nil {
			for _, spec := range format {
				v, have := "", false
				if spec == "0" {
					if a != nil {
						v, have = field(a, f1), f1 <= len(a)
					} else {
						v, have = field(b, f2), f2 <= len(b)
					}
				} else if fn, n, ok := strings.Cut(spec, "."); ok {
					idx, _ := strconv.Atoi(n)
					src := a
					if fn == "2" {
						src = b
					}
					if src != nil && idx-1 < len(src) && idx >= 1 {
						v, have = src[idx-1], true
					}
				}
				if !have && haveEmpty {
					v = empty
				}
				parts = append(parts, v)
			}
		} else {
			if a != nil {
				parts = append(parts, field(a, f1))
			} else {
				parts = append(parts, field(b, f2))
			}
			for i, f := range a {
				if i != f1-1 {
					parts = append(parts, f)
				}
			}
			for i, f := range b {
				if i != f2-1 {
					parts = append(parts, f)
				}
			}
		}
		out.WriteString(strings.Join(parts, osep))
		out.WriteByte('\n')
	}
	A, B := files[0], files[1]
	i, j := 0, 0
	for i < len(A) || j < len(B) {
		if ctx.Err() != nil {
			return 1
		}
		var c int
		switch {
		case i >= len(A):
			c = 1
		case j >= len(B):
			c = -1
		default:
			c = strings.Compare(key(A[i], f1), key(B[j], f2))
		}
		switch {
		case c < 0:
			if show[1] {
				emit(A[i], nil)
			}
			i++
		case c > 0:
			if show[2] {
				emit(nil, B[j])
			}
			j++
		default:
			k := key(A[i], f1)
			i2, j2 := i, j
			for i2 < len(A) && key(A[i2], f1) == k {
				i2++
			}
			for j2 < len(B) && key(B[j2], f2) == k {
				j2++
			}
			if !onlyUnpaired {
				for _, a := range A[i:i2] {
					for _, b := range B[j:j2] {
						emit(a, b)
					}
				}
			}
			i, j = i2, j2
		}
	}
	return 0
}
