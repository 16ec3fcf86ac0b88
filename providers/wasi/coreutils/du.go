package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// duRun is one du invocation.
type duRun struct {
	ctx                          context.Context
	env                          *Env
	w                            *bufio.Writer
	all, summarize, human, bytes bool
	apparent, follow             bool
	maxDepth                     int // -1: unlimited
	unit                         int64
	status                       int
}

// cmdDu is du: estimate file space usage (-a, -s, -h, -c, -d N, -b, -k, -m,
// --apparent-size, -L). Sizes are in 1024-byte blocks; on filesystems that
// do not report blocks, a file takes its size rounded up to 4 KiB and a
// directory 4 KiB.
func cmdDu(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "ashcbkmLxS0", withArg: "dB",
		long: map[string]string{"all": "a", "summarize": "s", "human-readable": "h", "total": "c", "bytes": "b",
			"max-depth=": "d", "apparent-size": "A", "dereference": "L", "one-file-system": "x", "block-size=": "B",
			"separate-dirs": "S", "null": "0"},
	}, args)
	if !ok {
		return 1
	}
	d := &duRun{ctx: ctx, env: env, w: bufio.NewWriter(env.Stdout), maxDepth: -1, unit: 1024,
		all: f.has("a"), summarize: f.has("s"), human: f.has("h"), follow: f.has("L"),
		apparent: f.has("A") || f.has("b")}
	if f.has("b") {
		d.unit = 1
	}
	switch f.last("k", "m", "b", "B") {
	case "k":
		d.unit = 1024
	case "m":
		d.unit = 1 << 20
	case "B":
		v, _ := f.value("B")
		n, err := fileParseSize(v)
		if err != nil || n == 0 {
			if m, ok := fileSizeSuffixes[v]; ok && m > 0 {
				n = m
			} else {
				env.Errorf(args[0], "invalid --block-size argument %s", fileQuote(v))
				return 1
			}
		}
		d.unit = n
	}
	if v, ok := f.value("d"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			env.Errorf(args[0], "invalid maximum depth %s", fileQuote(v))
			return 1
		}
		d.maxDepth = n
	}
	if d.summarize {
		if d.maxDepth > 0 {
			env.Errorf(args[0], "cannot both summarize and show all entries")
			return 1
		}
		d.maxDepth = 0
	}
	if d.all && d.summarize {
		env.Errorf(args[0], "cannot both summarize and show all entries")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 1
	}
	ops := f.operands
	if len(ops) == 0 {
		ops = []string{"."}
	}
	var total int64
	for _, op := range ops {
		if ctx.Err() != nil {
			return 1
		}
		p := env.Abs(op)
		var fi fs.FileInfo
		var err error
		if d.follow {
			fi, err = env.FS.Stat(p)
		} else {
			fi, err = fileLstat(env.FS, p)
		}
		if err != nil {
			d.w.Flush()
			env.Errorf(args[0], "cannot access %s: %s", fileQuote(op), errText(err))
			d.status = 1
			continue
		}
		total += d.walk(op, p, fi, 0)
	}
	if f.has("c") {
		d.print(total, "total")
	}
	if d.w.Flush() != nil {
		return 1
	}
	if ctx.Err() != nil {
		return 1
	}
	return d.status
}

// size is one file's own usage in bytes (blocks or apparent size).
func (d *duRun) size(fi fs.FileInfo) int64 {
	if d.apparent {
		if fileIsLink(fi) {
			return fi.Size()
		}
		return lsSize(fi)
	}
	return lsBlocks(fi) * 1024
}

// walk prints the usage of name and what is under it, and returns its total.
func (d *duRun) walk(name, p string, fi fs.FileInfo, depth int) int64 {
	if d.ctx.Err() != nil {
		return 0
	}
	sum := d.size(fi)
	if fi.IsDir() {
		entries, err := fileReadDir(d.env.FS, p)
		if err != nil {
			d.w.Flush()
			d.env.Errorf("du", "cannot read directory %s: %s", fileQuote(name), errText(err))
			d.status = 1
		}
		for _, e := range entries {
			cp := path.Join(p, e.Name())
			if d.follow && fileIsLink(e) {
				if tfi, err := d.env.FS.Stat(cp); err == nil {
					e = tfi
				}
			}
			sum += d.walk(strings.TrimRight(name, "/")+"/"+e.Name(), cp, e, depth+1)
		}
	}
	if (fi.IsDir() || d.all || depth == 0) && (d.maxDepth < 0 || depth <= d.maxDepth) {
		d.print(sum, name)
	}
	return sum
}

func (d *duRun) print(n int64, name string) {
	var s string
	switch {
	case d.human:
		s = lsHuman(n)
		if n < 1024 && n > 0 && !d.apparent {
			s = lsHuman(n)
		}
	default:
		s = strconv.FormatInt((n+d.unit-1)/d.unit, 10)
	}
	fmt.Fprintf(d.w, "%s\t%s\n", s, name)
}
