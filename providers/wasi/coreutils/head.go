package coreutils

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
)

// cmdHead is head: print the first lines (or bytes) of files.
func cmdHead(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "qvz", withArg: "nc", number: true,
		long: map[string]string{"lines=": "n", "bytes=": "c", "quiet": "q", "silent": "q", "verbose": "v", "zero-terminated": "z"},
	}, args)
	if !ok {
		return 1
	}
	count, bytesMode, sign, ok := headTailCount(env, args[0], f.list)
	if !ok {
		return 1
	}
	allBut := sign == '-'
	delim, files, headers := headTailInputs(f)
	w := bufio.NewWriterSize(env.Stdout, fileChunk)
	defer w.Flush()
	return headTailEach(ctx, env, args[0], w, files, headers, true, func(name string, r io.Reader) error {
		r = fileCtxReader{ctx, r}
		switch {
		case bytesMode && !allBut:
			_, err := io.CopyN(w, r, count)
			if err == io.EOF {
				err = nil
			}
			return err
		case bytesMode:
			data, err := io.ReadAll(r)
			if int64(len(data)) > count {
				w.Write(data[:int64(len(data))-count])
			}
			return err
		case !allBut:
			return headLines(w, r, count, delim)
		default:
			data, err := io.ReadAll(r)
			w.Write(data[:headAllButLines(data, count, delim)])
			return err
		}
	})
}

// headTailCount returns the count set by the last -n, -c or -NUM option in
// list (10 when there is none), whether it counts bytes, and the sign
// written before the number (0 when none). It reports an invalid number
// and returns ok false.
func headTailCount(env *Env, cmd string, list []fileFlag) (count int64, bytesMode bool, sign byte, ok bool) {
	count = 10
	for _, fl := range list {
		switch fl.key {
		case "n", "c", "#":
			s, n, err := fileParseSigned(fl.value)
			if err != nil {
				what := "lines"
				if fl.key == "c" {
					what = "bytes"
				}
				env.Errorf(cmd, "invalid number of %s: %s", what, fileQuote(fl.value))
				return 0, false, 0, false
			}
			count, bytesMode, sign = n, fl.key == "c", s
		}
	}
	return count, bytesMode, sign, true
}

// headTailInputs returns the line delimiter (NUL with -z), the files to
// read ("-" when none are named) and whether to print "==> name <=="
// headers (more than one file, or as -q and -v last said).
func headTailInputs(f *fileFlags) (delim byte, files []string, headers bool) {
	delim = '\n'
	if f.has("z") {
		delim = 0
	}
	files = f.operands
	if len(files) == 0 {
		files = []string{"-"}
	}
	headers = len(files) > 1
	if k := f.last("q", "v"); k == "q" {
		headers = false
	} else if k == "v" {
		headers = true
	}
	return delim, files, headers
}

// headTailEach opens each of files in turn, writes its header to w when
// headers is set, and calls fn with the open file to write the part to
// print. It reports files that cannot be opened or read, flushes w after
// each file and returns the exit status. It returns 1 at once when ctx is
// done or w cannot be flushed; after a read error, w is checked only when
// checkAfterErr is set.
func headTailEach(ctx context.Context, env *Env, cmd string, w *bufio.Writer, files []string, headers, checkAfterErr bool, fn func(name string, r io.Reader) error) int {
	status, first := 0, true
	for _, name := range files {
		if ctx.Err() != nil {
			return 1
		}
		r, closeFn, err := fileOpenInput(env, name)
		if err != nil {
			if isDirErr(err) {
				if headers {
					headFileHeader(w, name, &first)
				}
				w.Flush()
				env.Errorf(cmd, "error reading %s: %s", fileQuote(name), errText(err))
			} else {
				w.Flush()
				env.Errorf(cmd, "cannot open %s for reading: %s", fileQuote(name), errText(err))
			}
			status = 1
			continue
		}
		if headers {
			headFileHeader(w, name, &first)
		}
		err = fn(name, r)
		closeFn()
		if err != nil {
			if ctx.Err() != nil {
				return 1
			}
			w.Flush()
			env.Errorf(cmd, "error reading %s: %s", fileQuote(name), errText(err))
			status = 1
			if !checkAfterErr {
				continue
			}
		}
		if w.Flush() != nil {
			return 1
		}
	}
	return status
}

func headFileHeader(w *bufio.Writer, name string, first *bool) {
	if !*first {
		w.WriteByte('\n')
	}
	*first = false
	if name == "-" {
		name = "standard input"
	}
	fmt.Fprintf(w, "==> %s <==\n", name)
}

// headLines copies the first n delimited lines of r to w.
func headLines(w io.Writer, r io.Reader, n int64, delim byte) error {
	br := bufio.NewReaderSize(r, fileChunk)
	for n > 0 {
		chunk, err := br.ReadSlice(delim)
		if len(chunk) > 0 {
			if _, werr := w.Write(chunk); werr != nil {
				return werr
			}
			if chunk[len(chunk)-1] == delim && err == nil {
				n--
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// headAllButLines returns the length of data without its last n lines.
func headAllButLines(data []byte, n int64, delim byte) int {
	end := len(data)
	if n == 0 {
		return end
	}
	// A final line without a delimiter counts as a line.
	i := end
	if i > 0 && data[i-1] != delim {
		n--
		i = bytes.LastIndexByte(data[:i], delim) + 1
		if n == 0 {
			return i
		}
	}
	for ; n > 0 && i > 0; n-- {
		i = bytes.LastIndexByte(data[:i-1], delim) + 1
	}
	return i
}
