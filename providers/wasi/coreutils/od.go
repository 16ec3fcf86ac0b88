package coreutils

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
)

var odSpec = optSpec{
	withArg: "AtNjw",
	noArg:   "bcdoxsvi",
	long: map[string]string{"address-radix=": "A", "format=": "t", "read-bytes=": "N",
		"skip-bytes=": "j", "width=": "w", "output-duplicates": "v"},
}

type odType struct {
	kind byte // c, o, x, d, u
	size int
}

// od dumps files in octal, hexadecimal, decimal or character form.
func od(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], odSpec)
	if err != nil {
		return usageErr(env, "od", err, 1)
	}
	radix := byte('o')
	var types []odType
	limit, skip := int64(-1), int64(0)
	width := 16
	dups := false
	for _, o := range opts {
		switch o.name {
		case "A":
			if o.val == "" || !strings.Contains("doxn", o.val[:1]) {
				env.Errorf("od", "invalid output address radix '%s'; it must be one character from [doxn]", o.val)
				return 1
			}
			radix = o.val[0]
		case "t":
			spec := o.val
			for spec != "" {
				k := spec[0]
				spec = spec[1:]
				t := odType{kind: k, size: 1}
				switch k {
				case 'a', 'c':
					t.kind = 'c'
				case 'o', 'x', 'd', 'u':
					t.size = 4
					j := 0
					for j < len(spec) && spec[j] >= '0' && spec[j] <= '9' {
						j++
					}
					if j > 0 {
						n, _ := strconv.Atoi(spec[:j])
						if n != 1 && n != 2 && n != 4 && n != 8 {
							env.Errorf("od", "invalid type string '%s'", o.val)
							return 1
						}
						t.size = n
						spec = spec[j:]
					} else if len(spec) > 0 && strings.Contains("CSIL", spec[:1]) {
						t.size = map[byte]int{'C': 1, 'S': 2, 'I': 4, 'L': 8}[spec[0]]
						spec = spec[1:]
					}
				default:
					env.Errorf("od", "invalid type string '%s'", o.val)
					return 1
				}
				types = append(types, t)
			}
		case "b":
			types = append(types, odType{'o', 1})
		case "c":
			types = append(types, odType{'c', 1})
		case "d":
			types = append(types, odType{'u', 2})
		case "o":
			types = append(types, odType{'o', 2})
		case "x":
			types = append(types, odType{'x', 2})
		case "s":
			types = append(types, odType{'d', 2})
		case "i":
			types = append(types, odType{'d', 4})
		case "N", "j", "w":
			n, err := strconv.ParseInt(o.val, 0, 64)
			if err != nil || n < 0 {
				env.Errorf("od", "invalid number '%s'", o.val)
				return 1
			}
			switch o.name {
			case "N":
				limit = n
			case "j":
				skip = n
			default:
				width = int(n)
			}
		case "v":
			dups = true
		}
	}
	if len(types) == 0 {
		types = []odType{{'o', 2}}
	}
	src, closeAll, ok := dumpInput(ctx, env, "od", ops, skip, limit)
	if !ok {
		return 1
	}
	defer closeAll()
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	addr := func(off int64) string {
		switch radix {
		case 'd':
			return fmt.Sprintf("%07d", off)
		case 'x':
			return fmt.Sprintf("%06x", off)
		case 'n':
			return ""
		}
		return fmt.Sprintf("%07o", off)
	}
	off, ok := dumpBlocks(src, out, width, skip, dups, func(off int64, line []byte) {
		for ti, t := range types {
			if ti == 0 {
				out.WriteString(addr(off))
			} else {
				out.WriteString(strings.Repeat(" ", len(addr(off))))
			}
			odLine(out, line, t)
			out.WriteByte('\n')
		}
	})
	if !ok {
		return 1
	}
	if radix != 'n' {
		out.WriteString(addr(off) + "\n")
	}
	return 0
}

func odLine(out *bufio.Writer, line []byte, t odType) {
	if t.kind == 'c' {
		for _, c := range line {
			var s string
			switch c {
			case 0:
				s = `\0`
			case '\a':
				s = `\a`
			case '\b':
				s = `\b`
			case '\f':
				s = `\f`
			case '\n':
				s = `\n`
			case '\r':
				s = `\r`
			case '\t':
				s = `\t`
			case '\v':
				s = `\v`
			default:
				if c >= 0x20 && c < 0x7f {
					s = string(c)
				} else {
					s = fmt.Sprintf("%03o", c)
				}
			}
			fmt.Fprintf(out, " %3s", s)
		}
		return
	}
	widths := map[odType]int{
		{'o', 1}: 3, {'o', 2}: 6, {'o', 4}: 11, {'o', 8}: 22,
		{'x', 1}: 2, {'x', 2}: 4, {'x', 4}: 8, {'x', 8}: 16,
		{'d', 1}: 4, {'d', 2}: 6, {'d', 4}: 11, {'d', 8}: 20,
		{'u', 1}: 3, {'u', 2}: 5, {'u', 4}: 10, {'u', 8}: 20,
	}
	w := widths[t]
	for i := 0; i < len(line); i += t.size {
		chunk := make([]byte, 8)
		copy(chunk, line[i:min(i+t.size, len(line))])
		v := binary.LittleEndian.Uint64(chunk)
		switch t.kind {
		case 'o':
			fmt.Fprintf(out, " %0*o", w, v)
		case 'x':
			fmt.Fprintf(out, " %0*x", w, v)
		case 'u':
			fmt.Fprintf(out, " %*d", w, v)
		case 'd':
			var sv int64
			switch t.size {
			case 1:
				sv = int64(int8(v))
			case 2:
				sv = int64(int16(v))
			case 4:
				sv = int64(int32(v))
			default:
				sv = int64(v)
			}
			fmt.Fprintf(out, " %*d", w, sv)
		}
	}
}

// dumpInput opens the files ops ("-" when none) as one stream for od and
// hexdump, skips its first skip bytes and, when limit is not negative,
// ends it after limit more. closeAll closes the files. It reports a file
// that cannot be opened and returns ok false.
func dumpInput(ctx context.Context, env *Env, cmd string, ops []string, skip, limit int64) (src io.Reader, closeAll func(), ok bool) {
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	var readers []io.Reader
	var closers []io.Closer
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i].Close()
		}
	}
	for _, op := range ops {
		r, err := openInput(ctx, env, op)
		if err != nil {
			env.Errorf(cmd, "%s: %s", op, textErrText(err))
			closeAll()
			return nil, nil, false
		}
		closers = append(closers, r)
		readers = append(readers, r)
	}
	src = io.MultiReader(readers...)
	if skip > 0 {
		io.CopyN(io.Discard, src, skip)
	}
	if limit >= 0 {
		src = io.LimitReader(src, limit)
	}
	return src, closeAll, true
}

// dumpBlocks reads src in blocks of width bytes (the last may be shorter)
// and calls fn with each block and its offset, counted from skip. Unless
// all is set, a run of full blocks equal to the one before is shown as one
// "*" line instead. It returns the offset after the input, or ok false as
// soon as out has failed.
func dumpBlocks(src io.Reader, out *bufio.Writer, width int, skip int64, all bool, fn func(off int64, line []byte)) (end int64, ok bool) {
	br := bufio.NewReader(src)
	buf := make([]byte, width)
	off := skip
	var prev []byte
	starred := false
	for {
		if outFailed(out) {
			return off, false
		}
		n, err := io.ReadFull(br, buf)
		if n == 0 {
			break
		}
		line := buf[:n]
		if !all && n == width && prev != nil && string(prev) == string(line) {
			if !starred {
				out.WriteString("*\n")
				starred = true
			}
			off += int64(n)
			continue
		}
		starred = false
		prev = append(prev[:0], line...)
		fn(off, line)
		off += int64(n)
		if err != nil {
			break
		}
	}
	return off, true
}
