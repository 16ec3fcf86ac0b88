package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io"
)

// catOptions are the line transformations of cat.
type catOptions struct {
	number, numberNonBlank, squeeze, ends, tabs, nonPrinting bool
}

func (o catOptions) plain() bool {
	return !o.number && !o.numberNonBlank && !o.squeeze && !o.ends && !o.tabs && !o.nonPrinting
}

// catState carries line numbering and blank-line squeezing across files.
type catState struct {
	line      int
	blankRun  int
	atLineBeg bool
}

// cmdCat is cat: concatenate files (or standard input) to standard output.
func cmdCat(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "nbsETvAetu",
		long: map[string]string{"number": "n", "number-nonblank": "b", "squeeze-blank": "s",
			"show-ends": "E", "show-tabs": "T", "show-nonprinting": "v", "show-all": "A"},
	}, args)
	if !ok {
		return 1
	}
	var o catOptions
	for _, fl := range f.list {
		switch fl.key {
		case "n":
			o.number = true
		case "b":
			o.numberNonBlank = true
		case "s":
			o.squeeze = true
		case "E":
			o.ends = true
		case "T":
			o.tabs = true
		case "v":
			o.nonPrinting = true
		case "A":
			o.nonPrinting, o.ends, o.tabs = true, true, true
		case "e":
			o.nonPrinting, o.ends = true, true
		case "t":
			o.nonPrinting, o.tabs = true, true
		}
	}
	files := f.operands
	if len(files) == 0 {
		files = []string{"-"}
	}
	st := &catState{atLineBeg: true}
	w := bufio.NewWriterSize(env.Stdout, fileChunk)
	status := 0
	for _, name := range files {
		if ctx.Err() != nil {
			return 1
		}
		r, closeFn, err := fileOpenInput(env, name)
		if err != nil {
			w.Flush()
			env.Errorf(args[0], "%s: %s", name, errText(err))
			status = 1
			continue
		}
		if o.plain() {
			_, err = fileCopy(ctx, w, r)
		} else {
			err = catLines(ctx, w, r, o, st)
		}
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
	if err := w.Flush(); err != nil {
		return 1
	}
	return status
}

// catLines copies r to w applying the line options.
func catLines(ctx context.Context, w *bufio.Writer, r io.Reader, o catOptions, st *catState) error {
	br := bufio.NewReaderSize(fileCtxReader{ctx, r}, fileChunk)
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			err = nil
		}
		if len(line) > 0 {
			if st.atLineBeg {
				blank := len(line) == 1 && line[0] == '\n'
				if blank {
					st.blankRun++
				} else {
					st.blankRun = 0
				}
				if o.squeeze && st.blankRun > 1 {
					goto next
				}
				if o.numberNonBlank {
					if !blank {
						st.line++
						fmt.Fprintf(w, "%6d\t", st.line)
					}
				} else if o.number {
					st.line++
					fmt.Fprintf(w, "%6d\t", st.line)
				}
			}
			st.atLineBeg = line[len(line)-1] == '\n'
			body := line
			if st.atLineBeg {
				body = line[:len(line)-1]
			}
			catWriteBody(w, body, o)
			if st.atLineBeg {
				if o.ends {
					w.WriteByte('$')
				}
				w.WriteByte('\n')
			}
		}
	next:
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// catWriteBody writes one line's bytes with -T and -v applied.
func catWriteBody(w *bufio.Writer, b []byte, o catOptions) {
	if !o.tabs && !o.nonPrinting {
		w.Write(b)
		return
	}
	for _, c := range b {
		switch {
		case c == '\t':
			if o.tabs {
				w.WriteString("^I")
			} else {
				w.WriteByte(c)
			}
		case !o.nonPrinting:
			w.WriteByte(c)
		case c >= 128:
			w.WriteString("M-")
			c -= 128
			catWriteVisible(w, c)
		default:
			catWriteVisible(w, c)
		}
	}
}

func catWriteVisible(w *bufio.Writer, c byte) {
	switch {
	case c < 32:
		w.WriteByte('^')
		w.WriteByte(c + 64)
	case c == 127:
		w.WriteString("^?")
	default:
		w.WriteByte(c)
	}
}
