package coreutils

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// gzipRun is one gzip, gunzip or zcat invocation.
type gzipRun struct {
	ctx                                   context.Context
	env                                   *Env
	cmd                                   string
	decompress, stdout, keep, force, test bool
	verbose                               bool
	level                                 int
	suffix                                string
	status                                int
}

// cmdGzip is gzip: compress files to NAME.gz (-c to stdout, -d decompress,
// -k keep, -f force, -t test, -1..-9 level, -S suffix). gunzip is gzip -d
// and zcat is gzip -dc.
func cmdGzip(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "cdkfntvqlrNn123456789", withArg: "S",
		long: map[string]string{"stdout": "c", "to-stdout": "c", "decompress": "d", "uncompress": "d", "keep": "k", "force": "f",
			"test": "t", "verbose": "v", "quiet": "q", "suffix=": "S", "no-name": "n", "name": "N", "fast": "1", "best": "9"},
	}, args)
	if !ok {
		return 1
	}
	g := &gzipRun{ctx: ctx, env: env, cmd: args[0], level: gzip.DefaultCompression, suffix: ".gz",
		decompress: f.has("d"), stdout: f.has("c"), keep: f.has("k"), force: f.has("f"), test: f.has("t"), verbose: f.has("v")}
	switch path.Base(args[0]) {
	case "gunzip":
		g.decompress = true
	case "zcat":
		g.decompress, g.stdout = true, true
	}
	if g.test {
		g.decompress = true
	}
	for _, fl := range f.list {
		if len(fl.key) == 1 && fl.key[0] >= '1' && fl.key[0] <= '9' {
			g.level = int(fl.key[0] - '0')
		}
	}
	if s, ok := f.value("S"); ok && s != "" {
		g.suffix = s
	}
	if f.has("r") {
		env.Errorf(args[0], "recursive mode is not supported")
		return 1
	}
	files := f.operands
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, name := range files {
		if ctx.Err() != nil {
			return 1
		}
		g.one(name)
	}
	if ctx.Err() != nil {
		return 1
	}
	return g.status
}

func (g *gzipRun) fail(code int, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	if strings.HasSuffix(msg, "not in gzip format") {
		// GNU gzip starts this message on a new line.
		fmt.Fprintln(g.env.Stderr)
	}
	g.env.Errorf("gzip", "%s", msg)
	if code > g.status {
		g.status = code
	}
}

// one handles one operand.
func (g *gzipRun) one(name string) {
	if name == "-" {
		var w io.Writer = g.env.Stdout
		if g.test {
			w = io.Discard
		}
		if err := g.transform(w, g.env.Stdin, "", nil); err != nil {
			g.fail(1, "stdin: %s", err)
		}
		return
	}
	src := g.env.Abs(name)
	if g.decompress && !strings.HasSuffix(name, g.suffix) && !strings.HasSuffix(name, ".tgz") {
		if _, err := g.env.FS.Stat(src); err != nil {
			if _, err2 := g.env.FS.Stat(src + g.suffix); err2 == nil {
				name, src = name+g.suffix, src+g.suffix
			}
		}
	}
	fi, err := g.env.FS.Stat(src)
	if err != nil {
		g.fail(1, "%s: %s", name, errText(err))
		return
	}
	if fi.IsDir() {
		g.fail(2, "%s is a directory -- ignored", name)
		return
	}
	var dstName string
	switch {
	case g.stdout || g.test:
	case g.decompress:
		switch {
		case strings.HasSuffix(name, g.suffix):
			dstName = strings.TrimSuffix(name, g.suffix)
		case strings.HasSuffix(name, ".tgz"):
			dstName = strings.TrimSuffix(name, ".tgz") + ".tar"
		default:
			g.fail(2, "%s: unknown suffix -- ignored", name)
			return
		}
	default:
		if strings.HasSuffix(name, g.suffix) && !g.force {
			g.fail(0, "%s already has %s suffix -- unchanged", name, g.suffix)
			return
		}
		dstName = name + g.suffix
	}
	in, err := g.env.FS.Open(src)
	if err != nil {
		g.fail(1, "%s: %s", name, errText(err))
		return
	}
	defer in.Close()
	if dstName == "" {
		var w io.Writer = g.env.Stdout
		if g.test {
			w = io.Discard
		}
		if err := g.transform(w, in, path.Base(name), fi); err != nil {
			g.fail(1, "%s: %s", name, err)
		}
		return
	}
	dst := g.env.Abs(dstName)
	if _, err := fileLstat(g.env.FS, dst); err == nil {
		if !g.force {
			g.fail(2, "%s already exists;\tnot overwritten", dstName)
			return
		}
		g.env.FS.Remove(dst)
	}
	out, err := fileOpenWrite(g.env.FS, dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		g.fail(1, "%s: %s", dstName, errText(err))
		return
	}
	err = g.transform(out, in, path.Base(name), fi)
	if cerr := out.Close(); err == nil && cerr != nil {
		err = errors.New(errText(cerr))
	}
	if err != nil {
		g.env.FS.Remove(dst)
		g.fail(1, "%s: %s", name, err)
		return
	}
	g.env.FS.Chmod(dst, fi.Mode().Perm())
	g.env.FS.Chtimes(dst, fi.ModTime(), fi.ModTime())
	if !g.keep {
		if err := g.env.FS.Remove(src); err != nil {
			g.fail(1, "%s: %s", name, errText(err))
		}
	}
	if g.verbose {
		fmt.Fprintf(g.env.Stderr, "%s:\t replaced with %s\n", name, dstName)
	}
}

// transform compresses or decompresses r into w. Its errors are already
// in gzip's words.
func (g *gzipRun) transform(w io.Writer, r io.Reader, name string, fi os.FileInfo) error {
	r = fileCtxReader{g.ctx, r}
	bw := bufio.NewWriterSize(w, fileChunk)
	if g.decompress {
		zr, err := gzip.NewReader(bufio.NewReaderSize(r, fileChunk))
		if err != nil {
			if errors.Is(err, gzip.ErrHeader) || err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				return errors.New("not in gzip format")
			}
			return errors.New(errText(err))
		}
		if _, err := io.CopyBuffer(bw, zr, make([]byte, fileChunk)); err != nil {
			if g.ctx.Err() != nil {
				return g.ctx.Err()
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return errors.New("unexpected end of file")
			}
			if errors.Is(err, gzip.ErrChecksum) {
				return errors.New("invalid compressed data--crc error")
			}
			return errors.New("invalid compressed data--format violated")
		}
		return bw.Flush()
	}
	zw, err := gzip.NewWriterLevel(bw, g.level)
	if err != nil {
		return err
	}
	if fi != nil {
		zw.Name = name
		zw.ModTime = fi.ModTime()
	}
	if _, err := io.CopyBuffer(zw, r, make([]byte, fileChunk)); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}
