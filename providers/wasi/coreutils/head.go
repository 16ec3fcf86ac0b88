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
	count, bytesMode, allBut := int64(10), false, false
	for _, fl := range f.list {
		switch fl.key {
		case "n", "c", "#":
			sign, n, err := fileParseSigned(fl.value)
			if err != nil {
				what := "lines"
				if fl.key == "c" {
					what = "bytes"
				}
				env.Errorf(args[0], "invalid number of %s: %s", what, fileQuote(fl.value))
				return 1
			}
			count, bytesMode, allBut = n, fl.key == "c", sign == '-'
		}
	}
	delim := byte('\n')
	if f.has("z") {
		delim = 0
	}
	files := f.operands
	if len(files) == 0 {
		files = []string{"-"}
	}
	headers := len(files) > 1
	if k := f.last("q", "v"); k == "q" {
		headers = false
	} else if k == "v" {
		headers = true
	}
	w := bufio.NewWriterSize(env.Stdout, fileChunk)
	defer w.Flush()
	status, first := 0, true
	for _, name := range files {
		if ctx.Err() != nil {
			return 1
		}
		r, closeFn, err := fileOpenInput(env, name)
		if err != nil {
			w.Flush()
			if isDirErr(err) {
				if headers {
					headFileHeader(w, name, &first)
				}
				w.Flush()
				env.Errorf(args[0], "error reading %s: %s", fileQuote(name), errText(err))
			} else {
				env.Errorf(args[0], "cannot open %s for reading: %s", fileQuote(name), errText(err))
			}
			status = 1
			continue
		}
		if headers {
			headFileHeader(w, name, &first)
		}
		r = fileCtxReader{ctx, r}
		switch {
		case bytesMode && !allBut:
			_, err = io.CopyN(w, r, count)
			if err == io.EOF {
				err = nil
			}
		case bytesMode:
			var data []byte
			data, err = io.ReadAll(r)
			if int64(len(data)) > count {
				w.Write(data[:int64(len(data))-count])
			}
		case !allBut:
			err = headLines(w, r, count, delim)
		default:
			var data []byte
			data, err = io.ReadAll(r)
			w.Write(data[:headAllButLines(data, count, delim)])
		}
		closeFn()
		if err != nil {
			if ctx.Err() != nil {
				return 1
			}
			w.Flush()
			env.Errorf(args[0], "error reading %s: %s", fileQuote(name), errText(err))
			status = 1
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
