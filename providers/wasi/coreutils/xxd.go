package coreutils

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

var xxdSpec = optSpec{
	withArg: "lcsg",
	noArg:   "prui",
	long:    map[string]string{"len=": "l", "cols=": "c", "seek=": "s", "groupsize=": "g", "plain": "p", "revert": "r"},
}

// xxd makes a hex dump (-p plain, -r to revert a plain or default dump).
func xxd(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], xxdSpec)
	if err != nil {
		return usageErr(env, "xxd", err, 1)
	}
	limit, cols, seek, group := int64(-1), 16, int64(0), 2
	plain, revert, upper := false, false, false
	colsSet := false
	for _, o := range opts {
		switch o.name {
		case "l", "c", "s", "g":
			n, err := strconv.ParseInt(o.val, 0, 64)
			if err != nil || n < 0 {
				env.Errorf("xxd", "invalid number '%s'", o.val)
				return 1
			}
			switch o.name {
			case "l":
				limit = n
			case "c":
				cols, colsSet = int(n), true
			case "s":
				seek = n
			case "g":
				group = int(n)
			}
		case "p":
			plain = true
		case "r":
			revert = true
		case "u":
			upper = true
		}
	}
	in := "-"
	if len(ops) > 0 {
		in = ops[0]
	}
	r, err := openInput(ctx, env, in)
	if err != nil {
		env.Errorf("xxd", "%s: %s", in, textErrText(err))
		return 2
	}
	defer r.Close()
	var w io.Writer = env.Stdout
	if len(ops) > 1 {
		f, err := env.FS.Create(env.Abs(ops[1]))
		if err != nil {
			env.Errorf("xxd", "%s: %s", ops[1], textErrText(err))
			return 2
		}
		defer f.Close()
		w = f
	}
	out := bufio.NewWriter(w)
	defer out.Flush()
	if revert {
		data, err := io.ReadAll(r)
		if err != nil {
			return 2
		}
		var hexText strings.Builder
		for _, line := range strings.Split(string(data), "\n") {
			if !plain {
				// "00000000: 6865 6c6c  he.." : drop the offset and the text column.
				if i := strings.Index(line, ": "); i >= 0 {
					line = line[i+2:]
				}
				if i := strings.Index(line, "  "); i >= 0 {
					line = line[:i]
				}
			}
			for _, c := range line {
				if strings.ContainsRune("0123456789abcdefABCDEF", c) {
					hexText.WriteRune(c)
				}
			}
		}
		s := hexText.String()
		if len(s)%2 == 1 {
			s = s[:len(s)-1]
		}
		b, _ := hex.DecodeString(s)
		out.Write(b)
		return 0
	}
	if plain && !colsSet {
		cols = 30
	}
	if cols <= 0 {
		cols = 16
	}
	if seek > 0 {
		io.CopyN(io.Discard, r, seek)
	}
	src := io.Reader(r)
	if limit >= 0 {
		src = io.LimitReader(r, limit)
	}
	br := bufio.NewReader(src)
	buf := make([]byte, cols)
	off := seek
	hexFmt := "%02x"
	if upper {
		hexFmt = "%02X"
	}
	for {
		if outFailed(out) {
			return 1
		}
		n, err := io.ReadFull(br, buf)
		if n == 0 {
			break
		}
		line := buf[:n]
		if plain {
			for _, c := range line {
				fmt.Fprintf(out, hexFmt, c)
			}
			out.WriteByte('\n')
		} else {
			fmt.Fprintf(out, "%08x: ", off)
			width := 0
			for i, c := range line {
				fmt.Fprintf(out, hexFmt, c)
				width += 2
				if group > 0 && (i+1)%group == 0 {
					out.WriteByte(' ')
					width++
				}
			}
			full := cols * 2
			if group > 0 {
				full += cols / group
			}
			out.WriteString(strings.Repeat(" ", full-width+1))
			for _, c := range line {
				if c >= 0x20 && c < 0x7f {
					out.WriteByte(c)
				} else {
					out.WriteByte('.')
				}
			}
			out.WriteByte('\n')
		}
		off += int64(n)
		if err != nil {
			break
		}
	}
	return 0
}
