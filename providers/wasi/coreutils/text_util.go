package coreutils

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"syscall"
)

// textErrText returns the GNU wording of a file error ("No such file or
// directory", "Is a directory", ...).
func textErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOENT):
		return "No such file or directory"
	case errors.Is(err, syscall.EISDIR), errors.Is(err, errTextIsDir):
		return "Is a directory"
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EACCES):
		return "Permission denied"
	case errors.Is(err, syscall.ENOTDIR):
		return "Not a directory"
	case errors.Is(err, fs.ErrExist):
		return "File exists"
	case errors.Is(err, syscall.EROFS):
		return "Read-only file system"
	case errors.Is(err, errTextTooLarge):
		return "memory exhausted"
	}
	return err.Error()
}

var errTextIsDir = errors.New("Is a directory")

// ctxReader stops reading once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// openInput opens an input operand: "-" is standard input, anything else is
// a session path resolved against env.Dir. Directories are refused with
// errTextIsDir.
func openInput(ctx context.Context, env *Env, name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(ctxReader{ctx, env.Stdin}), nil
	}
	p := env.Abs(name)
	fi, err := env.FS.Stat(p)
	if err != nil {
		if p == "/dev/null" {
			return io.NopCloser(strings.NewReader("")), nil
		}
		return nil, err
	}
	if fi.IsDir() {
		return nil, errTextIsDir
	}
	f, err := env.FS.Open(p)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{ctxReader{ctx, f}, f}, nil
}

// readAllInput reads a whole input operand.
func readAllInput(ctx context.Context, env *Env, name string) ([]byte, error) {
	r, err := openInput(ctx, env, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxWholeInput+1))
	if err == nil && len(data) > maxWholeInput {
		return nil, errTextTooLarge
	}
	return data, err
}

// maxWholeInput bounds the inputs that a utility holds in memory at once
// (sort, tac, shuf, jq -s, ...), so that `yes | sort` fails instead of
// exhausting the host's memory.
const maxWholeInput = 256 << 20

var errTextTooLarge = errors.New("memory exhausted")

// lineReader reads lines without their terminator and reports whether the
// terminator was present.
type lineReader struct {
	br   *bufio.Reader
	term byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, textBufSize), term: '\n'}
}

// next returns the next line. ok is false at end of input; err is a read
// error other than io.EOF.
func (l *lineReader) next() (line string, hasTerm, ok bool, err error) {
	s, err := l.br.ReadString(l.term)
	if err != nil {
		if err == io.EOF {
			if s == "" {
				return "", false, false, nil
			}
			return s, false, true, nil
		}
		return s, false, s != "", err
	}
	return s[:len(s)-1], true, true, nil
}

// splitLines splits data into lines without terminators; a final line
// without a newline is kept.
func splitLines(data string) []string {
	if data == "" {
		return nil
	}
	lines := strings.Split(data, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// optSpec describes the options of a utility for parseOpts.
type optSpec struct {
	// withArg lists short options that take an argument.
	withArg string
	// noArg lists short options without an argument.
	noArg string
	// long maps long option names to a short equivalent (or the long name
	// itself for options without one); a trailing "=" means the option takes
	// an argument.
	long map[string]string
	// stopAtOperand stops option parsing at the first operand (POSIX order).
	stopAtOperand bool
	// digits accepts -NUM as the option '0' with argument NUM.
	digits bool
}

type opt struct {
	name string // short letter or long name
	val  string
}

// parseOpts parses GNU-style options: clustered short options, attached or
// separate arguments, long options with unique prefixes, "--" and permuted
// operands.
func parseOpts(args []string, spec optSpec) (opts []opt, operands []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			return
		}
		if len(a) < 2 || a[0] != '-' {
			if spec.stopAtOperand {
				operands = append(operands, args[i:]...)
				return
			}
			operands = append(operands, a)
			continue
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			key, target, found := "", "", false
			for k, v := range spec.long {
				kn := strings.TrimSuffix(k, "=")
				if kn == name {
					key, target, found = k, v, true
					break
				}
			}
			if !found {
				n := 0
				for k, v := range spec.long {
					if strings.HasPrefix(strings.TrimSuffix(k, "="), name) {
						key, target = k, v
						n++
					}
				}
				if n != 1 {
					if n > 1 {
						return nil, nil, fmt.Errorf("option '--%s' is ambiguous", name)
					}
					return nil, nil, fmt.Errorf("unrecognized option '--%s'", name)
				}
			}
			if strings.HasSuffix(key, "=") {
				if !hasVal {
					if i+1 >= len(args) {
						return nil, nil, fmt.Errorf("option '--%s' requires an argument", strings.TrimSuffix(key, "="))
					}
					i++
					val = args[i]
				}
			} else if hasVal && !strings.HasSuffix(key, "?") {
				return nil, nil, fmt.Errorf("option '--%s' doesn't allow an argument", key)
			}
			opts = append(opts, opt{target, val})
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			if spec.digits && c >= '0' && c <= '9' {
				k := j
				for k < len(a) && a[k] >= '0' && a[k] <= '9' {
					k++
				}
				opts = append(opts, opt{"0", a[j:k]})
				j = k - 1
				continue
			}
			switch {
			case strings.IndexByte(spec.withArg, c) >= 0:
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, nil, fmt.Errorf("option requires an argument -- '%c'", c)
					}
					i++
					val = args[i]
				}
				opts = append(opts, opt{string(c), val})
				j = len(a)
			case strings.IndexByte(spec.noArg, c) >= 0:
				opts = append(opts, opt{string(c), ""})
			default:
				return nil, nil, fmt.Errorf("invalid option -- '%c'", c)
			}
		}
	}
	return
}

// usageErr prints a usage error in GNU style and returns status.
func usageErr(env *Env, name string, err error, status int) int {
	env.Errorf(name, "%s", err.Error())
	fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", name)
	return status
}

// unescapeC interprets the backslash escapes \n \t \\ \a \b \f \r \v \0NNN
// and \NNN in s.
func unescapeC(s string) string { return unescape(s, false) }

// unescape interprets the backslash escapes \n \t \\ \a \b \f \r \v and
// octal \NNN (at most three digits, \0 included) in s; with hexQuote it
// also takes \xHH (one or two hex digits; a bare \x stays as is) and \".
// Other escapes are kept with their backslash.
func unescape(s string, hexQuote bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '\\':
			b.WriteByte('\\')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n, k := 0, 0
			for k < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7' {
				n = n*8 + int(s[i]-'0')
				i++
				k++
			}
			i--
			b.WriteByte(byte(n))
		case '"':
			if !hexQuote {
				b.WriteString(`\"`)
				break
			}
			b.WriteByte('"')
		case 'x':
			if !hexQuote {
				b.WriteString(`\x`)
				break
			}
			j := i + 1
			for j < len(s) && j < i+3 && strings.IndexByte("0123456789abcdefABCDEF", s[j]) >= 0 {
				j++
			}
			if j == i+1 {
				b.WriteString(`\x`)
				continue
			}
			v, _ := strconv.ParseUint(s[i+1:j], 16, 8)
			b.WriteByte(byte(v))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

type errString string

func (e errString) Error() string { return string(e) }

func itoa(n int) string { return strconv.Itoa(n) }

// outFailed reports whether writes to w have failed (a closed pipe or an
// output cap), so that a utility can stop reading its input.
func outFailed(w *bufio.Writer) bool {
	_, err := w.Write(nil)
	return err != nil
}

// textBufSize is the buffer size of the text utilities' readers and
// writers: small, since most inputs are small and each command allocates
// its own.
const textBufSize = 8 << 10
