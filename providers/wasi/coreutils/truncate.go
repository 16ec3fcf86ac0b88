package coreutils

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// cmdTruncate is truncate: shrink or extend files to a size (-s [+-<>/%]SIZE,
// -r FILE, -c do not create).
func cmdTruncate(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "co", withArg: "sr",
		long: map[string]string{"no-create": "c", "size=": "s", "reference=": "r", "io-blocks": "o"},
	}, args)
	if !ok {
		return 1
	}
	sizeArg, hasSize := f.value("s")
	ref, hasRef := f.value("r")
	if !hasSize && !hasRef {
		env.Errorf(args[0], "you must specify either '--size' or '--reference'")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	if len(f.operands) == 0 {
		env.Errorf(args[0], "missing file operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	var op byte
	var size int64
	if hasSize {
		s := sizeArg
		if s != "" && strings.IndexByte("+-<>/%", s[0]) >= 0 {
			op, s = s[0], s[1:]
		}
		n, err := fileParseSize(s)
		if err != nil {
			env.Errorf(args[0], "Invalid number: %s", fileQuote(sizeArg))
			return 1
		}
		if (op == '/' || op == '%') && n == 0 {
			env.Errorf(args[0], "division by zero")
			return 1
		}
		size = n
	}
	if hasRef {
		fi, err := env.FS.Stat(env.Abs(ref))
		if err != nil {
			env.Errorf(args[0], "cannot stat %s: %s", fileQuote(ref), errText(err))
			return 1
		}
		if !hasSize {
			size = fi.Size()
		} else if op == '+' || op == '-' {
			// Relative to the reference.
			base := fi.Size()
			if op == '+' {
				size, op = base+size, 0
			} else {
				size, op = max(0, base-size), 0
			}
		}
	}
	status := 0
	for _, name := range f.operands {
		if ctx.Err() != nil {
			return 1
		}
		p := env.Abs(name)
		fi, err := env.FS.Stat(p)
		if err != nil {
			if f.has("c") {
				continue
			}
			fh, cerr := fileOpenWrite(env.FS, p, os.O_WRONLY|os.O_CREATE, 0o644)
			if cerr != nil {
				env.Errorf(args[0], "cannot open %s for writing: %s", fileQuote(name), errText(cerr))
				status = 1
				continue
			}
			fh.Close()
			fi, err = env.FS.Stat(p)
			if err != nil {
				status = 1
				continue
			}
		}
		if fi.IsDir() {
			env.Errorf(args[0], "cannot open %s for writing: Is a directory", fileQuote(name))
			status = 1
			continue
		}
		cur := fi.Size()
		target := size
		switch op {
		case '+':
			target = cur + size
		case '-':
			target = max(0, cur-size)
		case '<':
			target = min(cur, size)
		case '>':
			target = max(cur, size)
		case '/':
			target = cur / size * size
		case '%':
			target = (cur + size - 1) / size * size
		}
		fh, err := fileOpenWrite(env.FS, p, os.O_WRONLY, 0)
		if err == nil {
			err = fh.Truncate(target)
			if cerr := fh.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			env.Errorf(args[0], "failed to truncate %s at %d bytes: %s", fileQuote(name), target, errText(err))
			status = 1
		}
	}
	return status
}
