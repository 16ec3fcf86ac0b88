package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
)

// cmdSplit is split: split a file (or standard input) into pieces of -l
// LINES (default 1000), -b SIZE bytes or -n CHUNKS, named PREFIXaa,
// PREFIXab, ... (-d numeric suffixes, -a suffix length,
// --additional-suffix).
func cmdSplit(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "dxe", withArg: "lbanC", number: true,
		long: map[string]string{"lines=": "l", "bytes=": "b", "suffix-length=": "a", "numeric-suffixes?": "d",
			"hex-suffixes?": "x", "number=": "n", "additional-suffix=": "suffix", "elide-empty-files": "e", "verbose": "verbose"},
	}, args)
	if !ok {
		return 1
	}
	ops := f.operands
	if len(ops) > 2 {
		env.Errorf(args[0], "extra operand %s", fileQuote(ops[2]))
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	input, prefix := "-", "x"
	if len(ops) > 0 {
		input = ops[0]
	}
	if len(ops) > 1 {
		prefix = ops[1]
	}
	mode, size := "l", int64(1000)
	for _, fl := range f.list {
		switch fl.key {
		case "l", "#", "b", "n":
			n, err := fileParseSize(fl.value)
			if err != nil || n == 0 {
				what := map[string]string{"l": "lines", "#": "lines", "b": "bytes", "n": "chunks"}[fl.key]
				msg := ""
				if err == nil {
					msg = ": Numerical result out of range"
				}
				env.Errorf(args[0], "invalid number of %s: %s%s", what, fileQuote(fl.value), msg)
				return 1
			}
			mode, size = fl.key, n
			if mode == "#" {
				mode = "l"
			}
		}
	}
	suffixLen := 2
	if v, ok := f.value("a"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			env.Errorf(args[0], "invalid suffix length: %s", fileQuote(v))
			return 1
		}
		suffixLen = n
	}
	numeric := f.has("d")
	hex := f.has("x")
	extra, _ := f.value("suffix")
	r, closeFn, err := fileOpenInput(env, input)
	if err != nil {
		env.Errorf(args[0], "cannot open %s for reading: %s", fileQuote(input), errText(err))
		return 1
	}
	defer closeFn()
	r = fileCtxReader{ctx, r}
	index := 0
	name := func() (string, bool) {
		alphabet := "abcdefghijklmnopqrstuvwxyz"
		if numeric {
			alphabet = "0123456789"
		} else if hex {
			alphabet = "0123456789abcdef"
		}
		n := index
		suf := make([]byte, suffixLen)
		for i := suffixLen - 1; i >= 0; i-- {
			suf[i] = alphabet[n%len(alphabet)]
			n /= len(alphabet)
		}
		if n > 0 {
			return "", false
		}
		index++
		return prefix + string(suf) + extra, true
	}
	var out io.WriteCloser
	openNext := func() error {
		if out != nil {
			if err := out.Close(); err != nil {
				return err
			}
		}
		n, ok := name()
		if !ok {
			return errSplitSuffixes
		}
		fh, err := fileOpenWrite(env.FS, env.Abs(n), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("%s: %s", n, errText(err))
		}
		out = fh
		return nil
	}
	fail := func(err error) int {
		if ctx.Err() != nil {
			return 1
		}
		env.Errorf(args[0], "%s", err)
		return 1
	}
	switch mode {
	case "l":
		br := bufio.NewReaderSize(r, fileChunk)
		var lines int64
		for {
			line, err := br.ReadSlice('\n')
			if len(line) > 0 {
				if out == nil || lines == size {
					if e := openNext(); e != nil {
						return fail(e)
					}
					lines = 0
				}
				if _, werr := out.Write(line); werr != nil {
					return fail(werr)
				}
				if line[len(line)-1] == '\n' {
					lines++
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return fail(err)
			}
		}
	case "b":
		buf := make([]byte, min(size, fileChunk))
		var inPiece int64
		for {
			left := size - inPiece
			if out == nil || left == 0 {
				left = size
			}
			want := min(int64(len(buf)), left)
			n, err := io.ReadFull(r, buf[:want])
			if n > 0 {
				if out == nil || inPiece == size {
					if e := openNext(); e != nil {
						return fail(e)
					}
					inPiece = 0
				}
				if _, werr := out.Write(buf[:n]); werr != nil {
					return fail(werr)
				}
				inPiece += int64(n)
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				return fail(err)
			}
		}
	case "n":
		data, err := io.ReadAll(r)
		if err != nil {
			return fail(err)
		}
		total := int64(len(data))
		for i := int64(0); i < size; i++ {
			lo, hi := i*total/size, (i+1)*total/size
			if f.has("e") && lo == hi {
				continue
			}
			if e := openNext(); e != nil {
				return fail(e)
			}
			if _, werr := out.Write(data[lo:hi]); werr != nil {
				return fail(werr)
			}
		}
	}
	if out != nil {
		if err := out.Close(); err != nil {
			return fail(err)
		}
	}
	return 0
}

var errSplitSuffixes = fmt.Errorf("output file suffixes exhausted")
