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
	if plus != "" {
		f.list = append([]fileFlag{{key: "n", value: plus}}, f.list...)
	}
	count, bytesMode, sign, ok := headTailCount(env, args[0], f.list)
	if !ok {
		return 1
	}
	fromStart := sign == '+'
	delim, files, headers := headTailInputs(f)
	w := bufio.NewWriterSize(env.Stdout, fileChunk)
	defer w.Flush()
	return headTailEach(ctx, env, args[0], w, files, headers, false, func(name string, r io.Reader) error {
		var data []byte
		var err error
		if sk, ok := r.(io.ReadSeeker); ok && name != "-" && !fromStart {
			data, err = tailSeek(ctx, sk, count, bytesMode, delim)
		} else {
			data, err = io.ReadAll(fileCtxReader{ctx, r})
		}
		if err != nil {
			return err
		}
		w.Write(tailSelect(data, count, bytesMode, fromStart, delim))
		return nil
	})
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
