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

// treeRun is one tree invocation.
type treeRun struct {
	ctx                          context.Context
	env                          *Env
	w                            *bufio.Writer
	all, dirsOnly, fullPath, cls bool
	maxLevel                     int // -1: unlimited
	ignore, only                 []string
	dirs, files                  int
}

// cmdTree is tree: list directories as an indented tree (-a hidden files,
// -d directories only, -L LEVEL, -f full paths, -F indicators, -I PATTERN
// to leave out, -P PATTERN to keep, --noreport), entries in name order.
func cmdTree(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "adfFC", withArg: "LIP",
		long: map[string]string{"noreport": "noreport", "dirsfirst": "dirsfirst", "charset=": "charset"},
	}, args)
	if !ok {
		return 1
	}
	t := &treeRun{ctx: ctx, env: env, w: bufio.NewWriterSize(env.Stdout, fileChunk), maxLevel: -1,
		all: f.has("a"), dirsOnly: f.has("d"), fullPath: f.has("f"), cls: f.has("F")}
	if v, ok := f.value("L"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			env.Errorf(args[0], "Invalid level, must be greater than 0.")
			return 1
		}
		t.maxLevel = n
	}
	for _, p := range f.values("I") {
		t.ignore = append(t.ignore, strings.Split(p, "|")...)
	}
	for _, p := range f.values("P") {
		t.only = append(t.only, strings.Split(p, "|")...)
	}
	ops := f.operands
	if len(ops) == 0 {
		ops = []string{"."}
	}
	status := 0
	for _, op := range ops {
		p := env.Abs(op)
		fi, err := env.FS.Stat(p)
		if err != nil || !fi.IsDir() {
			fmt.Fprintf(t.w, "%s  [error opening dir]\n", op)
			status = 2
			continue
		}
		t.w.WriteString(op + "\n")
		t.walk(op, p, "", 1, f.has("dirsfirst"))
	}
	if !f.has("noreport") {
		d, fl := "directories", "files"
		if t.dirs == 1 {
			d = "directory"
		}
		if t.files == 1 {
			fl = "file"
		}
		if t.dirsOnly {
			fmt.Fprintf(t.w, "\n%d %s\n", t.dirs, d)
		} else {
			fmt.Fprintf(t.w, "\n%d %s, %d %s\n", t.dirs, d, t.files, fl)
		}
	}
	if t.w.Flush() != nil || ctx.Err() != nil {
		return 1
	}
	return status
}

func (t *treeRun) keep(e fs.FileInfo, isDir bool) bool {
	name := e.Name()
	if !t.all && strings.HasPrefix(name, ".") {
		return false
	}
	for _, pat := range t.ignore {
		if fileGlob(pat, name) {
			return false
		}
	}
	if isDir {
		return true
	}
	if t.dirsOnly {
		return false
	}
	if len(t.only) > 0 {
		for _, pat := range t.only {
			if fileGlob(pat, name) {
				return true
			}
		}
		return false
	}
	return true
}

// walk prints the entries of one directory with the given line prefix.
func (t *treeRun) walk(shown, p, prefix string, level int, dirsFirst bool) {
	if t.ctx.Err() != nil {
		return
	}
	infos, err := fileReadDir(t.env.FS, p)
	if err != nil {
		return
	}
	type item struct {
		fi    fs.FileInfo
		isDir bool
	}
	var items []item
	for _, e := range infos {
		isDir := e.IsDir()
		if fileIsLink(e) {
			isDir = false
		}
		if t.keep(e, isDir) {
			items = append(items, item{e, isDir})
		}
	}
	if dirsFirst {
		var ds, others []item
		for _, it := range items {
			if it.isDir {
				ds = append(ds, it)
			} else {
				others = append(others, it)
			}
		}
		items = append(ds, others...)
	}
	for i, it := range items {
		last := i == len(items)-1
		branch, next := "├── ", "│   "
		if last {
			branch, next = "└── ", "    "
		}
		cp := path.Join(p, it.fi.Name())
		name := it.fi.Name()
		if t.fullPath {
			name = strings.TrimSuffix(shown, "/") + "/" + name
		}
		if fileIsLink(it.fi) {
			target, _ := fileReadlink(t.env.FS, cp)
			name += " -> " + target
			if tfi, err := t.env.FS.Stat(cp); err == nil && tfi.IsDir() {
				t.dirs++
			} else {
				t.files++
			}
		} else if it.isDir {
			t.dirs++
			if t.cls {
				name += "/"
			}
		} else {
			t.files++
			if t.cls && it.fi.Mode()&0o111 != 0 {
				name += "*"
			}
		}
		t.w.WriteString(prefix + branch + name + "\n")
		if it.isDir && (t.maxLevel < 0 || level < t.maxLevel) {
			t.walk(strings.TrimSuffix(shown, "/")+"/"+it.fi.Name(), cp, prefix+next, level+1, dirsFirst)
		}
	}
}
