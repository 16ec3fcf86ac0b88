package coreutils

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/wsbx/wsbx/providers"
)

// fileUmask is the sandbox's umask.
const fileUmask = 0o022

var errChmodMode = errors.New("invalid mode")

// chmodApply applies a chmod mode (octal "755" or symbolic "u+x,go-w",
// "a=r", "+X") to the Unix permission bits old.
func chmodApply(mode string, old uint32, isDir bool) (uint32, error) {
	if mode != "" && mode[0] >= '0' && mode[0] <= '7' {
		n, err := strconv.ParseUint(mode, 8, 32)
		if err != nil || n > 0o7777 {
			return 0, errChmodMode
		}
		// As GNU does, a directory keeps its set-id bits unless five
		// digits clear them.
		if isDir && len(mode) < 5 {
			n |= uint64(old & 0o6000)
		}
		return uint32(n), nil
	}
	cur := old
	for _, clause := range strings.Split(mode, ",") {
		i := 0
		var who uint32
		for i < len(clause) && strings.IndexByte("ugoa", clause[i]) >= 0 {
			switch clause[i] {
			case 'u':
				who |= 0o4700
			case 'g':
				who |= 0o2070
			case 'o':
				who |= 0o1007
			case 'a':
				who |= 0o7777
			}
			i++
		}
		masked := who == 0
		if masked {
			who = 0o7777
		}
		if i >= len(clause) {
			return 0, errChmodMode
		}
		for i < len(clause) {
			op := clause[i]
			if op != '+' && op != '-' && op != '=' {
				return 0, errChmodMode
			}
			i++
			var bits uint32
			if i < len(clause) && strings.IndexByte("ugo", clause[i]) >= 0 {
				var src uint32
				switch clause[i] {
				case 'u':
					src = (cur >> 6) & 7
				case 'g':
					src = (cur >> 3) & 7
				case 'o':
					src = cur & 7
				}
				bits = src<<6 | src<<3 | src
				i++
			} else {
				for i < len(clause) && strings.IndexByte("rwxXst", clause[i]) >= 0 {
					switch clause[i] {
					case 'r':
						bits |= 0o444
					case 'w':
						bits |= 0o222
					case 'x':
						bits |= 0o111
					case 'X':
						if isDir || cur&0o111 != 0 {
							bits |= 0o111
						}
					case 's':
						bits |= 0o6000
					case 't':
						bits |= 0o1000
					}
					i++
				}
			}
			bits &= who
			if masked {
				bits &^= fileUmask
			}
			switch op {
			case '+':
				cur |= bits
			case '-':
				cur &^= bits
			case '=':
				clear := who & 0o777
				if !masked {
					clear = who
				}
				if isDir {
					clear &^= 0o6000
				}
				cur = cur&^clear | bits
			}
		}
	}
	return cur, nil
}

// cmdChmod is chmod: change file mode bits (octal or symbolic; -R, -v, -c,
// -f).
func cmdChmod(ctx context.Context, env *Env, args []string) int {
	// A mode like "-w" looks like an option: take it as the mode when it
	// parses as one.
	rest := args[1:]
	var mode string
	var others []string
	for i, a := range rest {
		if a == "--" {
			others = append(others, rest[i:]...)
			break
		}
		if mode == "" && len(a) > 1 && a[0] == '-' && strings.Trim(a[1:], "rwxXst") == "" && strings.ContainsAny(a[1:], "rwxXst") {
			mode = a
			continue
		}
		others = append(others, a)
	}
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "Rvcf",
		long:  map[string]string{"recursive": "R", "verbose": "v", "changes": "c", "silent": "f", "quiet": "f", "reference=": "ref"},
	}, append([]string{args[0]}, others...))
	if !ok {
		return 1
	}
	ops := f.operands
	if ref, ok := f.value("ref"); ok {
		fi, err := env.FS.Stat(env.Abs(ref))
		if err != nil {
			env.Errorf(args[0], "failed to get attributes of %s: %s", fileQuote(ref), errText(err))
			return 1
		}
		mode = strconv.FormatUint(uint64(providers.UnixMode(fi.Mode())), 8)
	} else if mode == "" {
		if len(ops) == 0 {
			env.Errorf(args[0], "missing operand")
			fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
			return 1
		}
		mode, ops = ops[0], ops[1:]
	}
	if len(ops) == 0 {
		env.Errorf(args[0], "missing operand after %s", fileQuote(mode))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	if _, err := chmodApply(mode, 0, false); err != nil {
		env.Errorf(args[0], "invalid mode: %s", fileQuote(mode))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	status := 0
	one := func(name, p string, fi fs.FileInfo) {
		if fileIsLink(fi) {
			return
		}
		old := providers.UnixMode(fi.Mode())
		nu, _ := chmodApply(mode, old, fi.IsDir())
		if err := env.FS.Chmod(p, providers.ModeFromUnix(nu)|fi.Mode().Type()); err != nil {
			if !f.has("f") {
				env.Errorf(args[0], "changing permissions of %s: %s", fileQuote(name), errText(err))
			}
			status = 1
			return
		}
		if f.has("v") || f.has("c") && old != nu {
			if old == nu {
				fmt.Fprintf(env.Stdout, "mode of %s retained as %04o (%s)\n", fileQuote(name), nu, fileModeString(providers.ModeFromUnix(nu) | fi.Mode().Type())[1:])
			} else {
				fmt.Fprintf(env.Stdout, "mode of %s changed from %04o (%s) to %04o (%s)\n", fileQuote(name), old,
					fileModeString(providers.ModeFromUnix(old))[1:], nu, fileModeString(providers.ModeFromUnix(nu))[1:])
			}
		}
	}
	for _, op := range ops {
		if ctx.Err() != nil {
			return 1
		}
		p := env.Abs(op)
		fi, err := env.FS.Stat(p)
		if err != nil {
			if !f.has("f") {
				env.Errorf(args[0], "cannot access %s: %s", fileQuote(op), errText(err))
			}
			status = 1
			continue
		}
		if !f.has("R") || !fi.IsDir() {
			one(op, p, fi)
			continue
		}
		err = fileWalk(ctx, env.FS, p, fi, func(q string, qfi fs.FileInfo, err error) error {
			if err != nil {
				env.Errorf(args[0], "cannot read directory %s: %s", fileQuote(q), errText(err))
				status = 1
				return nil
			}
			one(op+q[len(p):], q, qfi)
			return nil
		})
		if err != nil {
			return 1
		}
	}
	return status
}
