package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// lsOptions are the options of ls that shape its output.
type lsOptions struct {
	all, almostAll, long, recursive, human, dirsOnly, classify, slash bool
	reverse, numeric, noOwner, noGroup, deref, size                   bool
	sortBy                                                            byte // 'n' name, 't' time, 'S' size, 'U' none, 'X' extension
	now                                                               time.Time
	loc                                                               *time.Location
	comma                                                             bool
}

// lsEntry is one name ls prints.
type lsEntry struct {
	name   string // as printed
	path   string // absolute sandbox path
	fi     fs.FileInfo
	target string // symlink target, for -l
	tfi    fs.FileInfo
}

// cmdLs is ls: list directory contents, one name per line (standard output
// is never a terminal in a sandbox).
func cmdLs(ctx context.Context, env *Env, args []string) int {
	f, ok := fileFlagsOrUsage(env, fileFlagSpec{
		bools: "aAlRhdFp1rtSUXnogLHCmsi",
		long: map[string]string{"all": "a", "almost-all": "A", "recursive": "R", "human-readable": "h",
			"directory": "d", "classify?": "F", "reverse": "r", "numeric-uid-gid": "n", "dereference": "L",
			"color?": "color", "sort=": "sort", "group-directories-first": "gdf", "size": "s", "full-time": "full-time",
			"time-style=": "time-style"},
	}, args)
	if !ok {
		return 2
	}
	o := lsOptions{sortBy: 'n', now: time.Now(), loc: fileLocation(env)}
	for _, fl := range f.list {
		switch fl.key {
		case "a":
			o.all = true
		case "A":
			o.almostAll = true
		case "l":
			o.long = true
		case "o":
			o.long, o.noGroup = true, true
		case "g":
			o.long, o.noOwner = true, true
		case "n":
			o.long, o.numeric = true, true
		case "R":
			o.recursive = true
		case "h":
			o.human = true
		case "d":
			o.dirsOnly = true
		case "F":
			o.classify = true
		case "p":
			o.slash = true
		case "r":
			o.reverse = true
		case "t", "S", "U", "X":
			o.sortBy = fl.key[0]
		case "L":
			o.deref = true
		case "s":
			o.size = true
		case "m":
			o.comma = true
		case "1", "C":
			o.long, o.comma = false, false
		case "sort":
			switch fl.value {
			case "time":
				o.sortBy = 't'
			case "size":
				o.sortBy = 'S'
			case "none":
				o.sortBy = 'U'
			case "extension":
				o.sortBy = 'X'
			default:
				o.sortBy = 'n'
			}
		}
	}
	if f.last("l", "1", "C", "m") == "1" {
		o.long = false
	}
	ops := f.operands
	if len(ops) == 0 {
		ops = []string{"."}
	}
	w := bufio.NewWriterSize(env.Stdout, fileChunk)
	defer w.Flush()
	status := 0
	var files, dirs []lsEntry
	for _, op := range ops {
		p := env.Abs(op)
		fi, err := fileLstat(env.FS, p)
		if err != nil {
			w.Flush()
			env.Errorf(args[0], "cannot access %s: %s", fileQuote(op), errText(err))
			status = 2
			continue
		}
		e := lsEntry{name: op, path: p, fi: fi}
		if fileIsLink(fi) {
			tfi, terr := env.FS.Stat(p)
			if terr == nil {
				e.tfi = tfi
			}
			followCmdLine := o.deref || (!o.long && !o.classify && !o.dirsOnly) || strings.HasSuffix(op, "/")
			if followCmdLine && terr == nil {
				e.fi = tfi
				e.tfi = nil
			}
		}
		if e.fi.IsDir() && !o.dirsOnly {
			dirs = append(dirs, e)
		} else {
			files = append(files, lsResolve(env, e, o))
		}
	}
	lsSort(files, o)
	lsSort(dirs, o)
	printed := false
	if len(files) > 0 {
		lsPrint(w, files, o, dirs)
		printed = true
	}
	headers := len(ops) > 1 || o.recursive
	for _, d := range dirs {
		if ctx.Err() != nil {
			return 2
		}
		if st := lsDir(ctx, env, w, args[0], d.name, d.path, o, headers, &printed); st > status {
			status = st
		}
	}
	if w.Flush() != nil {
		return 2
	}
	return status
}

// lsDir lists one directory (and, with -R, those below it).
func lsDir(ctx context.Context, env *Env, w *bufio.Writer, cmd, name, p string, o lsOptions, header bool, printed *bool) int {
	if ctx.Err() != nil {
		return 2
	}
	infos, err := fileReadDir(env.FS, p)
	if err != nil {
		w.Flush()
		env.Errorf(cmd, "cannot open directory %s: %s", fileQuote(name), errText(err))
		return 2
	}
	if header {
		if *printed {
			w.WriteByte('\n')
		}
		fmt.Fprintf(w, "%s:\n", name)
	}
	*printed = true
	var entries []lsEntry
	if o.all {
		for _, dot := range []string{".", ".."} {
			dp := path.Join(p, dot)
			if fi, err := env.FS.Stat(dp); err == nil {
				entries = append(entries, lsEntry{name: dot, path: dp, fi: fi})
			}
		}
	}
	for _, fi := range infos {
		n := fi.Name()
		if strings.HasPrefix(n, ".") && !o.all && !o.almostAll {
			continue
		}
		e := lsEntry{name: n, path: path.Join(p, n), fi: fi}
		if fileIsLink(fi) {
			if tfi, err := env.FS.Stat(e.path); err == nil {
				e.tfi = tfi
				if o.deref {
					e.fi, e.tfi = tfi, nil
				}
			}
		}
		entries = append(entries, lsResolve(env, e, o))
	}
	lsSort(entries, o)
	if o.long || o.size {
		var blocks int64
		for _, e := range entries {
			blocks += lsBlocks(e.fi)
		}
		if o.human {
			fmt.Fprintf(w, "total %s\n", lsHuman(blocks*1024))
		} else {
			fmt.Fprintf(w, "total %d\n", blocks)
		}
	}
	lsPrint(w, entries, o, nil)
	status := 0
	if o.recursive {
		for _, e := range entries {
			if !e.fi.IsDir() || e.name == "." || e.name == ".." || fileIsLink(e.fi) {
				continue
			}
			sub := name + "/" + e.name
			if strings.HasSuffix(name, "/") {
				sub = name + e.name
			}
			if st := lsDir(ctx, env, w, cmd, sub, e.path, o, true, printed); st > status {
				status = st
			}
		}
	}
	return status
}

// lsResolve fills in a symlink's target for -l.
func lsResolve(env *Env, e lsEntry, o lsOptions) lsEntry {
	if fileIsLink(e.fi) && o.long {
		e.target, _ = fileReadlink(env.FS, e.path)
	}
	return e
}

// lsBlocks estimates the 1 KiB blocks a file takes, as a 4 KiB-block
// filesystem would report them.
func lsBlocks(fi fs.FileInfo) int64 {
	if b, ok := fileSysInt(fi, "Blocks"); ok {
		return b / 2
	}
	switch {
	case fileIsLink(fi):
		return 0
	case fi.IsDir():
		return 4
	}
	return (fi.Size() + 4095) / 4096 * 4
}

func lsSort(es []lsEntry, o lsOptions) {
	byName := func(i, j int) bool { return es[i].name < es[j].name }
	var less func(i, j int) bool
	switch o.sortBy {
	case 'U':
		if o.reverse {
			for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
				es[i], es[j] = es[j], es[i]
			}
		}
		return
	case 't':
		less = func(i, j int) bool {
			ti, tj := es[i].fi.ModTime(), es[j].fi.ModTime()
			if !ti.Equal(tj) {
				return ti.After(tj)
			}
			return byName(i, j)
		}
	case 'S':
		less = func(i, j int) bool {
			if es[i].fi.Size() != es[j].fi.Size() {
				return es[i].fi.Size() > es[j].fi.Size()
			}
			return byName(i, j)
		}
	case 'X':
		less = func(i, j int) bool {
			xi, xj := lsExt(es[i].name), lsExt(es[j].name)
			if xi != xj {
				return xi < xj
			}
			return byName(i, j)
		}
	default:
		less = byName
	}
	if o.reverse {
		sort.SliceStable(es, func(i, j int) bool { return less(j, i) })
	} else {
		sort.SliceStable(es, less)
	}
}

func lsExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

// lsIndicator is the -F / -p suffix of an entry.
func lsIndicator(e lsEntry, o lsOptions) string {
	m := e.fi.Mode()
	switch {
	case m.IsDir():
		if o.classify || o.slash {
			return "/"
		}
	case !o.classify:
	case m&fs.ModeSymlink != 0:
		return "@"
	case m&fs.ModeNamedPipe != 0:
		return "|"
	case m&fs.ModeSocket != 0:
		return "="
	case m.IsRegular() && m&0o111 != 0:
		return "*"
	}
	return ""
}

// lsPrint writes entries one per line, or in the long format. The columns of
// the long format are as wide as es and also widthToo need (GNU sizes the
// columns for the files named on the command line with the directories
// named there too).
func lsPrint(w *bufio.Writer, es []lsEntry, o lsOptions, widthToo []lsEntry) {
	if o.comma && !o.long {
		names := make([]string, len(es))
		for i, e := range es {
			names[i] = e.name + lsIndicator(e, o)
		}
		if len(names) > 0 {
			w.WriteString(strings.Join(names, ", ") + "\n")
		}
		return
	}
	if !o.long {
		for _, e := range es {
			if o.size {
				fmt.Fprintf(w, "%d ", lsBlocks(e.fi))
			}
			w.WriteString(e.name + lsIndicator(e, o) + "\n")
		}
		return
	}
	type row struct{ mode, links, owner, group, size, date, name string }
	rows := make([]row, len(es))
	var wl, wo, wg, ws int
	for i, e := range es {
		fi := e.fi
		r := row{mode: fileModeString(fi.Mode())}
		r.links = strconv.Itoa(lsLinks(fi))
		r.owner, r.group = fileUserName, fileGroupName
		if o.numeric {
			r.owner, r.group = strconv.Itoa(fileUID), strconv.Itoa(fileGID)
		}
		if o.human {
			r.size = lsHuman(lsSize(fi))
		} else {
			r.size = strconv.FormatInt(lsSize(fi), 10)
		}
		r.date = lsDate(fi.ModTime(), o)
		r.name = e.name + lsIndicator(e, o)
		if fileIsLink(fi) && e.target != "" {
			r.name = e.name + " -> " + e.target
			if o.classify && e.tfi != nil {
				r.name += lsIndicator(lsEntry{fi: e.tfi}, o)
			}
		}
		wl, wo, wg, ws = max(wl, len(r.links)), max(wo, len(r.owner)), max(wg, len(r.group)), max(ws, len(r.size))
		rows[i] = r
	}
	for _, e := range widthToo {
		wl = max(wl, len(strconv.Itoa(lsLinks(e.fi))))
		if o.human {
			ws = max(ws, len(lsHuman(lsSize(e.fi))))
		} else {
			ws = max(ws, len(strconv.FormatInt(lsSize(e.fi), 10)))
		}
	}
	for i, r := range rows {
		if o.size {
			fmt.Fprintf(w, "%d ", lsBlocks(es[i].fi))
		}
		fmt.Fprintf(w, "%s %*s ", r.mode, wl, r.links)
		if !o.noOwner {
			fmt.Fprintf(w, "%-*s ", wo, r.owner)
		}
		if !o.noGroup {
			fmt.Fprintf(w, "%-*s ", wg, r.group)
		}
		fmt.Fprintf(w, "%*s %s %s\n", ws, r.size, r.date, r.name)
	}
}

// lsLinks is the link count ls -l shows: 1 for a file, 2 for a directory
// (its subdirectories' ".." entries are not counted by afero filesystems).
func lsLinks(fi fs.FileInfo) int {
	if n, ok := fileNlink(fi); ok {
		return n
	}
	if fi.IsDir() {
		return 2
	}
	return 1
}

// lsSize is the size ls shows: a directory's own size where the filesystem
// reports one, 4096 otherwise.
func lsSize(fi fs.FileInfo) int64 {
	if fi.IsDir() {
		if _, ok := fileSysInt(fi, "Size"); !ok {
			return 4096
		}
	}
	return fi.Size()
}

// lsDate formats a modification time as ls -l does: with the time of day
// within six months of now, with the year otherwise.
func lsDate(t time.Time, o lsOptions) string {
	t = t.In(o.loc)
	const halfYear = 365 * 24 * time.Hour / 2
	if t.After(o.now.Add(-halfYear)) && !t.After(o.now.Add(time.Hour)) {
		return t.Format("Jan _2 15:04")
	}
	return t.Format("Jan _2  2006")
}

// lsHuman formats a size as ls -h and du -h do: powers of 1024, one decimal
// below 10, rounded up.
func lsHuman(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10)
	}
	const units = "KMGTPE"
	v := float64(n)
	for i := 0; i < len(units); i++ {
		v /= 1024
		if v < 1024 || i == len(units)-1 {
			if v < 10 {
				c := ceilTenth(v)
				if c >= 10 {
					return fmt.Sprintf("%d%c", 10, units[i])
				}
				return fmt.Sprintf("%.1f%c", c, units[i])
			}
			c := int64(v)
			if float64(c) < v {
				c++
			}
			if c >= 1024 && i < len(units)-1 {
				return fmt.Sprintf("1.0%c", units[i+1])
			}
			return fmt.Sprintf("%d%c", c, units[i])
		}
	}
	return strconv.FormatInt(n, 10)
}

func ceilTenth(v float64) float64 {
	t := int64(v * 10)
	if float64(t) < v*10 {
		t++
	}
	return float64(t) / 10
}
