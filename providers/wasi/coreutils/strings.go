package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
)

// cmdStrings is strings: print the runs of at least -n N (default 4)
// printable characters in files (-a accepted; -t d|o|x prefixes offsets).
func cmdStrings(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "af", withArg: "nt", number: true,
		long: map[string]string{"all": "a", "bytes=": "n", "radix=": "t", "print-file-name": "f"},
	}, args)
	if !ok {
		return 1
	}
	min := 4
	for _, fl := range f.list {
		if fl.key == "n" || fl.key == "#" {
			n, err := strconv.Atoi(fl.value)
			if err != nil || n < 1 {
				env.Errorf(args[0], "invalid minimum string length %s", fl.value)
				return 1
			}
			min = n
		}
	}
	radix, _ := f.value("t")
	files := f.operands
	if len(files) == 0 {
		files = []string{"-"}
	}
	w := bufio.NewWriterSize(env.Stdout, fileChunk)
	defer w.Flush()
	status := 0
	for _, name := range files {
		r, closeFn, err := fileOpenInput(env, name)
		if err != nil {
			w.Flush()
			// GNU binutils words it this way.
			msg := errText(err)
			if msg == "No such file or directory" {
				msg = "No such file"
			}
			env.Errorf(args[0], "%s: %s", fileQuote(name), msg)
			status = 1
			continue
		}
		prefix := ""
		if f.has("f") {
			prefix = name + ": "
		}
		err = stringsScan(fileCtxReader{ctx, r}, w, min, radix, prefix)
		closeFn()
		if err != nil {
			if ctx.Err() != nil {
				return 1
			}
			w.Flush()
			env.Errorf(args[0], "%s: %s", name, errText(err))
			status = 1
		}
	}
	if w.Flush() != nil {
		return 1
	}
	return status
}

// stringsScan writes the printable runs of r to w.
func stringsScan(r io.Reader, w *bufio.Writer, min int, radix, prefix string) error {
	br := bufio.NewReaderSize(r, fileChunk)
	var run []byte
	var off, start int64
	flush := func() {
		if len(run) >= min {
			w.WriteString(prefix)
			switch radix {
			case "d":
				fmt.Fprintf(w, "%7d ", start)
			case "o":
				fmt.Fprintf(w, "%7o ", start)
			case "x":
				fmt.Fprintf(w, "%7x ", start)
			}
			w.Write(run)
			w.WriteByte('\n')
		}
		run = run[:0]
	}
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			flush()
			return nil
		}
		if err != nil {
			return err
		}
		if c >= 0x20 && c < 0x7f || c == '\t' {
			if len(run) == 0 {
				start = off
			}
			run = append(run, c)
		} else {
			flush()
		}
		off++
	}
}
