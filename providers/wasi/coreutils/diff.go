package coreutils

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"
	"github.com/spf13/afero"
)

var diffSpec = optSpec{
	withArg: "UC",
	noArg:   "uqrNiwbBsacety",
	digits:  true,
	long: map[string]string{
		"unified?": "u", "unified=": "U", "brief": "q", "recursive": "r", "new-file": "N",
		"ignore-case": "i", "ignore-all-space": "w", "ignore-space-change": "b",
		"ignore-blank-lines": "B", "report-identical-files": "s", "text": "a",
		"label=": "label", "color": "color", "color=": "color", "strip-trailing-cr": "strip-trailing-cr",
		"normal": "normal", "side-by-side": "y",
	},
}

type diffOpts struct {
	unified, brief, recursive, newFile bool
	icase, ignAll, ignChange           bool
	reportSame                         bool
	context                            int
	labels                             []string
}

// diff compares files line by line. The edit script comes from
// github.com/sergi/go-diff (Myers' algorithm); the normal and unified
// formats are GNU's.
func diff(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], diffSpec)
	if err != nil {
		env.Errorf("diff", "%s", err)
		fmt.Fprintln(env.Stderr, "diff: Try 'diff --help' for more information.")
		return 2
	}
	o := &diffOpts{context: 3}
	for _, op := range opts {
		switch op.name {
		case "u":
			o.unified = true
		case "U", "C", "0":
			n, err := strconv.Atoi(op.val)
			if err != nil || n < 0 {
				env.Errorf("diff", "invalid context length '%s'", op.val)
				return 2
			}
			o.unified, o.context = true, n
		case "q":
			o.brief = true
		case "r":
			o.recursive = true
		case "N":
			o.newFile = true
		case "i":
			o.icase = true
		case "w":
			o.ignAll = true
		case "b":
			o.ignChange = true
		case "s":
			o.reportSame = true
		case "label":
			o.labels = append(o.labels, op.val)
		}
	}
	if len(ops) != 2 {
		if len(ops) < 2 {
			env.Errorf("diff", "missing operand after '%s'", strings.Join(append([]string{""}, ops...), ""))
		} else {
			env.Errorf("diff", "extra operand '%s'", ops[2])
		}
		fmt.Fprintln(env.Stderr, "diff: Try 'diff --help' for more information.")
		return 2
	}
	out := bufio.NewWriterSize(env.Stdout, 32<<10)
	defer out.Flush()
	d := &differ{ctx: ctx, env: env, o: o, out: out}
	for _, a := range args[1:] {
		if a == "--" {
			break
		}
		if len(a) > 1 && a[0] == '-' {
			d.flags += " " + a
		}
	}
	a, b := ops[0], ops[1]
	ai, aerr := d.stat(a)
	bi, berr := d.stat(b)
	if aerr != nil || berr != nil {
		if aerr != nil {
			env.Errorf("diff", "%s: %s", a, textErrText(aerr))
		}
		if berr != nil {
			env.Errorf("diff", "%s: %s", b, textErrText(berr))
		}
		return 2
	}
	switch {
	case ai != nil && ai.IsDir() && bi != nil && bi.IsDir():
		return d.dirs(a, b)
	case ai != nil && ai.IsDir():
		a = path.Join(a, path.Base(b))
	case bi != nil && bi.IsDir():
		b = path.Join(b, path.Base(a))
	}
	return d.files(a, b)
}

type differ struct {
	ctx context.Context
	env *Env
	o   *diffOpts
	out *bufio.Writer
	// flags are the options as given, echoed in "diff -r" headers.
	flags string
}

type diffInfo interface{ IsDir() bool }

func (d *differ) stat(name string) (diffInfo, error) {
	if name == "-" {
		return nil, nil
	}
	fi, err := d.env.FS.Stat(d.env.Abs(name))
	if err != nil {
		return nil, err
	}
	return fi, nil
}

func (d *differ) read(name string) ([]string, bool, time.Time, error) {
	var mt time.Time
	if name != "-" {
		if fi, err := d.env.FS.Stat(d.env.Abs(name)); err == nil {
			mt = fi.ModTime()
		} else if d.o.newFile {
			return nil, false, time.Unix(0, 0), nil
		}
	} else {
		mt = time.Now()
	}
	data, err := readAllInput(d.ctx, d.env, name)
	if err != nil {
		return nil, false, mt, err
	}
	s := string(data)
	noEOL := s != "" && !strings.HasSuffix(s, "\n")
	return splitLines(s), noEOL, mt, nil
}

func (d *differ) key(l string) string {
	if d.o.ignAll {
		l = strings.Join(strings.Fields(l), "")
	} else if d.o.ignChange {
		l = strings.Join(strings.Fields(l), " ")
	}
	if d.o.icase {
		l = strings.ToLower(l)
	}
	return l
}

// diffOp is one line of the edit script: ' ', '-' or '+'.
type diffOp struct {
	kind byte
	a, b int // line indexes in a and b
}

func (d *differ) script(a, b []string) []diffOp {
	ids := map[string]rune{}
	toRunes := func(lines []string) []rune {
		rs := make([]rune, len(lines))
		for i, l := range lines {
			k := d.key(l)
			id, ok := ids[k]
			if !ok {
				id = rune(len(ids) + 1)
				if id >= 0xD800 {
					id += 0x800
				}
				ids[k] = id
			}
			rs[i] = id
		}
		return rs
	}
	ra, rb := toRunes(a), toRunes(b)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	if dl, ok := d.ctx.Deadline(); ok {
		// Past the deadline go-diff settles for a valid, non-minimal script.
		dmp.DiffTimeout = max(time.Until(dl), time.Millisecond)
	}
	diffs := dmp.DiffMainRunes(ra, rb, false)
	var ops []diffOp
	i, j := 0, 0
	for _, df := range diffs {
		n := len([]rune(df.Text))
		for k := 0; k < n; k++ {
			switch df.Type {
			case diffmatchpatch.DiffEqual:
				ops = append(ops, diffOp{' ', i, j})
				i++
				j++
			case diffmatchpatch.DiffDelete:
				ops = append(ops, diffOp{'-', i, j})
				i++
			case diffmatchpatch.DiffInsert:
				ops = append(ops, diffOp{'+', i, j})
				j++
			}
		}
	}
	// GNU lists deletions before insertions within a change.
	for s := 0; s < len(ops); {
		if ops[s].kind == ' ' {
			s++
			continue
		}
		e := s
		for e < len(ops) && ops[e].kind != ' ' {
			e++
		}
		sort.SliceStable(ops[s:e], func(x, y int) bool { return ops[s+x].kind == '-' && ops[s+y].kind == '+' })
		s = e
	}
	return ops
}

func (d *differ) files(an, bn string) int {
	a, aNoEOL, at, err := d.read(an)
	if err != nil {
		d.out.Flush()
		d.env.Errorf("diff", "%s: %s", an, textErrText(err))
		return 2
	}
	b, bNoEOL, bt, err := d.read(bn)
	if err != nil {
		d.out.Flush()
		d.env.Errorf("diff", "%s: %s", bn, textErrText(err))
		return 2
	}
	ops := d.script(a, b)
	changed := aNoEOL != bNoEOL && len(a) > 0 && len(b) > 0 && d.key(a[len(a)-1]) == d.key(b[len(b)-1])
	for _, op := range ops {
		if op.kind != ' ' {
			changed = true
			break
		}
	}
	if !changed {
		if d.o.reportSame {
			fmt.Fprintf(d.out, "Files %s and %s are identical\n", an, bn)
		}
		return 0
	}
	if d.o.brief {
		fmt.Fprintf(d.out, "Files %s and %s differ\n", an, bn)
		return 1
	}
	if aNoEOL != bNoEOL {
		// The last lines differ by their newline: make them a change.
		for k := range ops {
			op := &ops[k]
			if op.kind == ' ' && op.a == len(a)-1 && op.b == len(b)-1 {
				ops = append(ops[:k], append([]diffOp{{'-', op.a, op.b}, {'+', op.a + 1, op.b}}, ops[k+1:]...)...)
				break
			}
		}
	}
	if d.o.unified {
		d.unified(an, bn, at, bt, a, b, aNoEOL, bNoEOL, ops)
	} else {
		d.normal(a, b, aNoEOL, bNoEOL, ops)
	}
	return 1
}

func diffRange(start, n int) string {
	// start is 1-based first line; GNU prints "start,end" or "start".
	if n == 1 {
		return strconv.Itoa(start)
	}
	return strconv.Itoa(start) + "," + strconv.Itoa(start+n-1)
}

func (d *differ) normal(a, b []string, aNoEOL, bNoEOL bool, ops []diffOp) {
	w := d.out
	for s := 0; s < len(ops); {
		if ops[s].kind == ' ' {
			s++
			continue
		}
		e := s
		var dels, adds []diffOp
		for e < len(ops) && ops[e].kind != ' ' {
			if ops[e].kind == '-' {
				dels = append(dels, ops[e])
			} else {
				adds = append(adds, ops[e])
			}
			e++
		}
		aStart, bStart := ops[s].a, ops[s].b
		switch {
		case len(adds) == 0:
			fmt.Fprintf(w, "%sd%d\n", diffRange(aStart+1, len(dels)), bStart)
		case len(dels) == 0:
			fmt.Fprintf(w, "%da%s\n", aStart, diffRange(bStart+1, len(adds)))
		default:
			fmt.Fprintf(w, "%sc%s\n", diffRange(aStart+1, len(dels)), diffRange(bStart+1, len(adds)))
		}
		for _, op := range dels {
			w.WriteString("< " + a[op.a] + "\n")
			if aNoEOL && op.a == len(a)-1 {
				w.WriteString("\\ No newline at end of file\n")
			}
		}
		if len(dels) > 0 && len(adds) > 0 {
			w.WriteString("---\n")
		}
		for _, op := range adds {
			w.WriteString("> " + b[op.b] + "\n")
			if bNoEOL && op.b == len(b)-1 {
				w.WriteString("\\ No newline at end of file\n")
			}
		}
		s = e
	}
}

func diffTime(t time.Time) string {
	return t.Format("2006-01-02 15:04:05.000000000 -0700")
}

func (d *differ) unified(an, bn string, at, bt time.Time, a, b []string, aNoEOL, bNoEOL bool, ops []diffOp) {
	w := d.out
	la, lb := an+"\t"+diffTime(at), bn+"\t"+diffTime(bt)
	if len(d.o.labels) > 0 {
		la = d.o.labels[0]
	}
	if len(d.o.labels) > 1 {
		lb = d.o.labels[1]
	}
	fmt.Fprintf(w, "--- %s\n+++ %s\n", la, lb)
	c := d.o.context
	// Find hunks: ranges of ops with changes, merged when within 2c lines.
	var idx []int
	for k, op := range ops {
		if op.kind != ' ' {
			idx = append(idx, k)
		}
	}
	for h := 0; h < len(idx); {
		start := max(idx[h]-c, 0)
		end := idx[h]
		h2 := h
		for h2+1 < len(idx) && idx[h2+1]-idx[h2] <= 2*c+1 {
			h2++
		}
		end = min(idx[h2]+c, len(ops)-1)
		h = h2 + 1
		hunk := ops[start : end+1]
		aStart, bStart := hunk[0].a, hunk[0].b
		na, nb := 0, 0
		for _, op := range hunk {
			if op.kind != '+' {
				na++
			}
			if op.kind != '-' {
				nb++
			}
		}
		fmt.Fprintf(w, "@@ -%s +%s @@\n", uniRange(aStart, na), uniRange(bStart, nb))
		for _, op := range hunk {
			switch op.kind {
			case ' ':
				w.WriteString(" " + a[op.a] + "\n")
				if aNoEOL && op.a == len(a)-1 {
					w.WriteString("\\ No newline at end of file\n")
				}
			case '-':
				w.WriteString("-" + a[op.a] + "\n")
				if aNoEOL && op.a == len(a)-1 {
					w.WriteString("\\ No newline at end of file\n")
				}
			case '+':
				w.WriteString("+" + b[op.b] + "\n")
				if bNoEOL && op.b == len(b)-1 {
					w.WriteString("\\ No newline at end of file\n")
				}
			}
		}
	}
}

func uniRange(start, n int) string {
	switch n {
	case 0:
		return strconv.Itoa(start) + ",0"
	case 1:
		return strconv.Itoa(start + 1)
	}
	return strconv.Itoa(start+1) + "," + strconv.Itoa(n)
}

func (d *differ) dirs(a, b string) int {
	list := func(p string) (map[string]bool, error) {
		entries, err := afero.ReadDir(d.env.FS, d.env.Abs(p))
		if err != nil {
			return nil, err
		}
		m := map[string]bool{}
		for _, e := range entries {
			m[e.Name()] = e.IsDir()
		}
		return m, nil
	}
	ea, err := list(a)
	if err != nil {
		d.env.Errorf("diff", "%s: %s", a, textErrText(err))
		return 2
	}
	eb, err := list(b)
	if err != nil {
		d.env.Errorf("diff", "%s: %s", b, textErrText(err))
		return 2
	}
	names := map[string]bool{}
	for n := range ea {
		names[n] = true
	}
	for n := range eb {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	status := 0
	for _, n := range sorted {
		if d.ctx.Err() != nil {
			return 2
		}
		pa, pb := path.Join(a, n), path.Join(b, n)
		da, inA := ea[n]
		db, inB := eb[n]
		switch {
		case !inB:
			fmt.Fprintf(d.out, "Only in %s: %s\n", a, n)
			status = max(status, 1)
		case !inA:
			fmt.Fprintf(d.out, "Only in %s: %s\n", b, n)
			status = max(status, 1)
		case da && db:
			if d.o.recursive {
				status = max(status, d.dirs(pa, pb))
			} else {
				fmt.Fprintf(d.out, "Common subdirectories: %s and %s\n", pa, pb)
			}
		case da != db:
			kind := func(dir bool) string {
				if dir {
					return "directory"
				}
				return "regular file"
			}
			fmt.Fprintf(d.out, "File %s is a %s while file %s is a %s\n", pa, kind(da), pb, kind(db))
			status = max(status, 1)
		default:
			if !d.o.brief {
				// Only print the header when the files differ.
				sub := &differ{ctx: d.ctx, env: d.env, o: &diffOpts{brief: true, icase: d.o.icase, ignAll: d.o.ignAll, ignChange: d.o.ignChange}, out: bufio.NewWriter(io.Discard)}
				if st := sub.files(pa, pb); st == 1 {
					fmt.Fprintf(d.out, "diff%s %s %s\n", d.flags, pa, pb)
				}
			}
			status = max(status, d.files(pa, pb))
		}
	}
	return status
}
