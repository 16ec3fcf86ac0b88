package coreutils

import (
	"bufio"
	"bytes"
	"context"
	"io"
)

// cmdTail is tail: print the last lines (or bytes) of files. Following
// (-f, -F) is accepted and ignored: a sandbox command must end.
func cmdTail(ctx context.Context, env *Env, args []string) int {
	rest := args[1:]
	// Obsolete "+N" form as the first argument.
	var plus string
	if len(rest) > 0 && len(rest[0]) > 1 && rest[0][0] == '+' && isDigits(rest[0][1:]) {
		plus, rest = rest[0], rest[1:]
	}
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "qvzfF", withArg: "ncs", number: true,
		long: map[string]string{"lines=": "n", "bytes=": "c", "quiet": "q", "silent": "q", "verbose": "v",
			"zero-terminated": "z", "follow?": "f", "retry": "r", "sleep-interval=": "s", "pid=": "p"},
	}, append([]string{args[0]}, rest...))
	if !ok {
		return 1
	}
	count, bytesMode, fromStart := int64(10), false, false
	if plus != "" {
		f.list = append([]fileFlag{{key: "n", value: plus}}, f.list...)
	}
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
			count, bytesMode, fromStart = n, fl.key == "c", sign == '+'
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
			if isDirErr(err) {
				if headers {
					headFileHeader(w, name, &first)
				}
				w.Flush()
				env.Errorf(args[0], "error reading %s: %s", fileQuote(name), errText(err))
			} else {
				w.Flush()
				env.Errorf(args[0], "cannot open %s for reading: %s", fileQuote(name), errText(err))
			}
			status = 1
			continue
		}
		if headers {
			headFileHeader(w, name, &first)
		}
		var data []byte
		if sk, ok := r.(io.ReadSeeker); ok && name != "-" && !fromStart {
			data, err = tailSeek(ctx, sk, count, bytesMode, delim)
		} else {
			data, err = io.ReadAll(fileCtxReader{ctx, r})
		}
		closeFn()
		if err != nil {
			if ctx.Err() != nil {
				return 1
			}
			w.Flush()
			env.Errorf(args[0], "error reading %s: %s", fileQuote(name), errText(err))
			status = 1
			continue
		}
		w.Write(tailSelect(data, count, bytesMode, fromStart, delim))
		if w.Flush() != nil {
			return 1
		}
	}
	return status
}

// tailSelect returns the part of data tail prints.
func tailSelect(data []byte, n int64, bytesMode, fromStart bool, delim byte) []byte {
	if bytesMode {
		if fromStart {
			if n > 0 {
				n--
			}
			if n >= int64(len(data)) {
				return nil
			}
			return data[n:]
		}
		if n >= int64(len(data)) {
			return data
		}
		return data[int64(len(data))-n:]
	}
	if fromStart {
		i := 0
		for line := int64(1); line < n; line++ {
			j := bytes.IndexByte(data[i:], delim)
			if j < 0 {
				return nil
			}
			i += j + 1
		}
		return data[i:]
	}
	if n == 0 {
		return nil
	}
	i := len(data)
	if i > 0 && data[i-1] == delim {
		i--
	}
	for ; n > 0; n-- {
		j := bytes.LastIndexByte(data[:i], delim)
		if j < 0 {
			return data
		}
		if n == 1 {
			return data[j+1:]
		}
		i = j
	}
	return data
}

// tailSeek reads only the end of a seekable file: enough blocks from the
// end to hold the last n lines (or bytes), so tail of a large file does not
// read all of it.
func tailSeek(ctx context.Context, r io.ReadSeeker, n int64, bytesMode bool, delim byte) ([]byte, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	var data []byte
	pos := size
	for pos > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step := min(int64(fileChunk), pos)
		pos -= step
		if _, err := r.Seek(pos, io.SeekStart); err != nil {
			return nil, err
		}
		block := make([]byte, step)
		if _, err := io.ReadFull(r, block); err != nil {
			return nil, err
		}
		data = append(block, data...)
		if bytesMode {
			if int64(len(data)) >= n {
				break
			}
			continue
		}
		// One more delimiter than lines wanted (the final one may end
		// the last line) means the lines are all here.
		if int64(bytes.Count(data, []byte{delim})) > n {
			break
		}
	}
	return data, nil
}
