package coreutils

import (
	"context"
	"io"
	"os"
)

// cmdTee is tee: copy standard input to standard output and to files (-a
// append, -i and -p accepted). A file that cannot be written is reported and
// skipped; the copy goes on.
func cmdTee(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "aip",
		long:  map[string]string{"append": "a", "ignore-interrupts": "i", "output-error?": "p"},
	}, args)
	if !ok {
		return 1
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if f.has("a") {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	status := 0
	type sink struct {
		name string
		w    io.Writer
		c    io.Closer
	}
	sinks := []*sink{{name: "standard output", w: env.Stdout}}
	for _, name := range f.operands {
		if name == "-" {
			sinks = append(sinks, &sink{name: "-", w: env.Stdout})
			continue
		}
		fh, err := fileOpenWrite(env.FS, env.Abs(name), flag, 0o644)
		if err != nil {
			env.Errorf(args[0], "%s: %s", name, errText(err))
			status = 1
			continue
		}
		sinks = append(sinks, &sink{name: name, w: fh, c: fh})
	}
	defer func() {
		for _, s := range sinks {
			if s.c != nil {
				s.c.Close()
			}
		}
	}()
	buf := make([]byte, fileChunk)
	for {
		if ctx.Err() != nil {
			return 1
		}
		n, err := env.Stdin.Read(buf)
		if n > 0 {
			live := 0
			for _, s := range sinks {
				if s.w == nil {
					continue
				}
				if _, werr := s.w.Write(buf[:n]); werr != nil {
					if s.name != "standard output" {
						env.Errorf(args[0], "%s: %s", s.name, errText(werr))
					}
					s.w = nil
					status = 1
					continue
				}
				live++
			}
			if live == 0 {
				return 1
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			env.Errorf(args[0], "read error: %s", errText(err))
			return 1
		}
	}
	return status
}
