package coreutils

import (
	"bufio"
	"context"
	crand "crypto/rand"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

var sortSpec = optSpec{
	withArg: "ktoST",
	noArg:   "nrufbhVscCgdMRiz",
	long: map[string]string{
		"numeric-sort": "n", "reverse": "r", "unique": "u", "key=": "k",
		"field-separator=": "t", "ignore-case": "f", "ignore-leading-blanks": "b",
		"human-numeric-sort": "h", "version-sort": "V", "output=": "o",
		"stable": "s", "check": "c", "general-numeric-sort": "g",
		"dictionary-order": "d", "month-sort": "M", "zero-terminated": "z",
		"buffer-size=": "S", "temporary-directory=": "T", "parallel=": "parallel",
		"ignore-nonprinting": "i", "random-sort": "R",
	},
}

type sortKeyOpts struct {
	numeric, general, human, version, month bool
	fold, blanks, dict, reverse             bool
}

type sortKey struct {
	sf, sc, ef, ec int // 1-based field/char; ef 0 = end of line; ec 0 = end of field
	sortKeyOpts
	startBlanks, endBlanks bool
}

type sortConf struct {
	keys   []sortKey
	global sortKeyOpts
	sep    string // "" = blank-separated
	unique bool
	stable bool
}

// sortCmd sorts lines of text files.
func sortCmd(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], sortSpec)
	if err != nil {
		return usageErr(env, "sort", err, 2)
	}
	c := &sortConf{}
	check, output, zero, random := false, "", false, false
	checkQuiet := false
	for _, o := range opts {
		switch o.name {
		case "n":
			c.global.numeric = true
		case "g":
			c.global.general = true
		case "r":
			c.global.reverse = true
		case "u":
			c.unique = true
		case "f":
			c.global.fold = true
		case "b":
			c.global.blanks = true
		case "d":
			c.global.dict = true
		case "h":
			c.global.human = true
		case "V":
			c.global.version = true
		case "M":
			c.global.month = true
		case "s":
			c.stable = true
		case "c":
			check = true
		case "C":
			check, checkQuiet = true, true
		case "z":
			zero = true
		case "R":
			random = true
		case "o":
			output = o.val
		case "t":
			sep := unescapeC(o.val)
			if len(sep) != 1 {
				if sep == `\0` {
					sep = "\x00"
				} else {
					env.Errorf("sort", "multi-character tab '%s'", o.val)
					return 2
				}
			}
			c.sep = sep
		case "k":
			k, err := parseSortKey(o.val)
			if err != nil {
				env.Errorf("sort", "%s", err)
				return 2
			}
			c.keys = append(c.keys, k)
		}
	}
	for i := range c.keys {
		k := &c.keys[i]
		if k.sortKeyOpts == (sortKeyOpts{}) && !k.startBlanks && !k.endBlanks {
			k.sortKeyOpts = c.global
			k.startBlanks, k.endBlanks = c.global.blanks, c.global.blanks
		}
	}
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	term := "\n"
	if zero {
		term = "\x00"
	}
	var lines []string
	for _, op := range ops {
		data, err := readAllInput(ctx, env, op)
		if err != nil {
			env.Errorf("sort", "%s: %s", sortOpName(op), textErrText(err))
			return 2
		}
		s := string(data)
		if s == "" {
			continue
		}
		parts := strings.Split(s, term)
		if parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		lines = append(lines, parts...)
		if check {
			for i := 1; i < len(lines); i++ {
				r := c.compare(lines[i-1], lines[i])
				if r > 0 || (c.unique && r == 0) {
					if !checkQuiet {
						fmt.Fprintf(env.Stderr, "sort: %s:%d: disorder: %s\n", op, i+1, lines[i])
					}
					return 1
				}
			}
			lines = lines[:0]
		}
	}
	if check {
		return 0
	}
	if ctx.Err() != nil {
		return 2
	}
	switch {
	case random:
		// Random order that keeps equal keys together, like GNU's -R.
		salt := make([]byte, 8)
		crand.Read(salt)
		hash := func(l string) uint64 {
			h := fnv.New64a()
			h.Write(salt)
			if len(c.keys) > 0 {
				for i := range c.keys {
					h.Write([]byte(c.extract(l, &c.keys[i])))
				}
			} else {
				h.Write([]byte(l))
			}
			return h.Sum64()
		}
		slices.SortStableFunc(lines, func(a, b string) int {
			ha, hb := hash(a), hash(b)
			switch {
			case ha < hb:
				return -1
			case ha > hb:
				return 1
			}
			return 0
		})
	case len(c.keys) == 0 && c.global == (sortKeyOpts{}):
		// Plain byte order: equal lines are identical, so any sort is stable.
		slices.Sort(lines)
	case c.stable || c.unique:
		slices.SortStableFunc(lines, c.keyCompare)
	default:
		slices.SortStableFunc(lines, c.compare)
	}
	if c.unique {
		out := lines[:0]
		for i, l := range lines {
			if i > 0 && c.keyCompare(out[len(out)-1], l) == 0 {
				continue
			}
			out = append(out, l)
		}
		lines = out
	}
	w := env.Stdout
	if output != "" {
		f, err := env.FS.Create(env.Abs(output))
		if err != nil {
			env.Errorf("sort", "open failed: %s: %s", output, textErrText(err))
			return 2
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, textBufSize)
	for _, l := range lines {
		bw.WriteString(l)
		bw.WriteString(term)
	}
	if err := bw.Flush(); err != nil {
		return 2
	}
	return 0
}

func sortOpName(op string) string {
	if op == "-" {
		return "-"
	}
	return op
}

func parseSortKey(s string) (sortKey, error) {
	var k sortKey
	bad := fmt.Errorf("invalid number at field start: invalid count at start of '%s'", s)
	start, end, hasEnd := strings.Cut(s, ",")
	parsePos := func(p string, isEnd bool) (f, ch int, rest string, err error) {
		i := 0
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			i++
		}
		f, err = strconv.Atoi(p[:i])
		if err != nil {
			return 0, 0, "", bad
		}
		p = p[i:]
		if strings.HasPrefix(p, ".") {
			j := 1
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			ch, err = strconv.Atoi(p[1:j])
			if err != nil {
				return 0, 0, "", bad
			}
			p = p[j:]
		}
		return f, ch, p, nil
	}
	f, ch, rest, err := parsePos(start, false)
	if err != nil || f == 0 {
		return k, fmt.Errorf("invalid number at field start: invalid count at start of '%s'", s)
	}
	k.sf, k.sc = f, ch
	if k.sc == 0 {
		k.sc = 1
	}
	apply := func(flags string, isStart bool) error {
		for _, r := range flags {
			switch r {
			case 'n':
				k.numeric = true
			case 'g':
				k.general = true
			case 'r':
				k.reverse = true
			case 'f':
				k.fold = true
			case 'b':
				if isStart {
					k.startBlanks = true
				} else {
					k.endBlanks = true
				}
			case 'd':
				k.dict = true
			case 'h':
				k.human = true
			case 'V':
				k.version = true
			case 'M':
				k.month = true
			default:
				return fmt.Errorf("stray character in field spec: invalid field specification '%s'", s)
			}
		}
		return nil
	}
	if err := apply(rest, true); err != nil {
		return k, err
	}
	if hasEnd {
		f, ch, rest, err := parsePos(end, true)
		if err != nil {
			return k, err
		}
		k.ef, k.ec = f, ch
		if err := apply(rest, false); err != nil {
			return k, err
		}
	}
	return k, nil
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// fieldStarts returns the start offsets of fields in line.
func (c *sortConf) fields(line string) [][2]int {
	var res [][2]int
	if c.sep != "" {
		start := 0
		for {
			i := strings.Index(line[start:], c.sep)
			if i < 0 {
				res = append(res, [2]int{start, len(line)})
				return res
			}
			res = append(res, [2]int{start, start + i})
			start += i + len(c.sep)
		}
	}
	// Blank separation: a field is leading blanks plus non-blanks.
	i := 0
	for i < len(line) {
		s := i
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		for i < len(line) && !isBlank(line[i]) {
			i++
		}
		res = append(res, [2]int{s, i})
	}
	if len(res) == 0 {
		res = append(res, [2]int{0, 0})
	}
	return res
}

func (c *sortConf) extract(line string, k *sortKey) string {
	fs := c.fields(line)
	if k.sf > len(fs) {
		return ""
	}
	fstart := fs[k.sf-1][0]
	fend := fs[k.sf-1][1]
	if k.startBlanks {
		for fstart < fend && isBlank(line[fstart]) {
			fstart++
		}
	}
	start := fstart + k.sc - 1
	if start > fend {
		start = fend
	}
	end := len(line)
	if k.ef > 0 {
		if k.ef > len(fs) {
			end = len(line)
		} else {
			es, ee := fs[k.ef-1][0], fs[k.ef-1][1]
			if k.ec == 0 {
				end = ee
			} else {
				if k.endBlanks {
					for es < ee && isBlank(line[es]) {
						es++
					}
				}
				end = es + k.ec
				if end > ee {
					end = ee
				}
			}
		}
	}
	if end < start {
		return ""
	}
	return line[start:end]
}

// keyCompare compares by keys only (no last-resort comparison).
func (c *sortConf) keyCompare(a, b string) int {
	if len(c.keys) == 0 {
		r := compareKey(a, b, &c.global, c.global.blanks)
		if c.global.reverse {
			r = -r
		}
		return r
	}
	for i := range c.keys {
		k := &c.keys[i]
		ka, kb := c.extract(a, k), c.extract(b, k)
		r := compareKey(ka, kb, &k.sortKeyOpts, false)
		if k.reverse {
			r = -r
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

func (c *sortConf) compare(a, b string) int {
	if r := c.keyCompare(a, b); r != 0 || c.stable || c.unique {
		return r
	}
	r := strings.Compare(a, b)
	if c.global.reverse {
		r = -r
	}
	return r
}

func compareKey(a, b string, o *sortKeyOpts, blanks bool) int {
	if blanks || o.blanks || o.numeric || o.human || o.general {
		a = strings.TrimLeft(a, " \t")
		b = strings.TrimLeft(b, " \t")
	}
	switch {
	case o.numeric:
		return compareFloat(parseLeadingNum(a), parseLeadingNum(b))
	case o.human:
		return compareHuman(a, b)
	case o.general:
		fa, ea := strconv.ParseFloat(leadingFloat(a), 64)
		fb, eb := strconv.ParseFloat(leadingFloat(b), 64)
		if ea != nil && eb != nil {
			return 0
		}
		if ea != nil {
			return -1
		}
		if eb != nil {
			return 1
		}
		return compareFloat(fa, fb)
	case o.version:
		return versionCompare(a, b)
	case o.month:
		return compareFloat(float64(monthNum(a)), float64(monthNum(b)))
	}
	if o.dict {
		a, b = dictOnly(a), dictOnly(b)
	}
	if o.fold {
		a, b = strings.ToUpper(a), strings.ToUpper(b)
	}
	return strings.Compare(a, b)
}

func dictOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseLeadingNum parses the numeric prefix of s as sort -n does.
func parseLeadingNum(s string) float64 {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	j := i
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ',') {
		j++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s[:j], ",", ""), 64)
	if err != nil {
		return 0
	}
	return f
}

func leadingFloat(s string) string {
	for j := len(s); j > 0; j-- {
		if _, err := strconv.ParseFloat(s[:j], 64); err == nil {
			return s[:j]
		}
	}
	return s
}

// compareHuman compares numbers with SI suffixes (K M G ...) as sort -h
// does: first by sign, then by suffix, then by value.
func compareHuman(a, b string) int {
	na, sa := parseHuman(a)
	nb, sb := parseHuman(b)
	signA, signB := compareFloat(na, 0), compareFloat(nb, 0)
	if signA != signB {
		return compareFloat(float64(signA), float64(signB))
	}
	if sa != sb {
		r := compareFloat(float64(sa), float64(sb))
		if signA < 0 {
			return -r
		}
		return r
	}
	return compareFloat(na, nb)
}

func parseHuman(s string) (float64, int) {
	n := parseLeadingNum(s)
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == ',') {
		i++
	}
	if i < len(s) {
		if p := strings.IndexByte("KMGTPEZY", s[i]&^0x20); p >= 0 {
			return n, p + 1
		}
	}
	return n, 0
}

func monthNum(s string) int {
	s = strings.ToUpper(strings.TrimSpace(s))
	for i, m := range []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"} {
		if strings.HasPrefix(s, m) {
			return i + 1
		}
	}
	return 0
}

// versionCompare compares like GNU filevercmp (a natural order of digit runs).
func versionCompare(a, b string) int {
	for a != "" || b != "" {
		// Non-digit prefix.
		na, nb := 0, 0
		for na < len(a) && !(a[na] >= '0' && a[na] <= '9') {
			na++
		}
		for nb < len(b) && !(b[nb] >= '0' && b[nb] <= '9') {
			nb++
		}
		if r := verStrCmp(a[:na], b[:nb]); r != 0 {
			return r
		}
		a, b = a[na:], b[nb:]
		da, db := 0, 0
		for da < len(a) && a[da] >= '0' && a[da] <= '9' {
			da++
		}
		for db < len(b) && b[db] >= '0' && b[db] <= '9' {
			db++
		}
		x := strings.TrimLeft(a[:da], "0")
		y := strings.TrimLeft(b[:db], "0")
		if len(x) != len(y) {
			return compareFloat(float64(len(x)), float64(len(y)))
		}
		if r := strings.Compare(x, y); r != 0 {
			return r
		}
		a, b = a[da:], b[db:]
	}
	return 0
}

func verOrder(c int) int {
	switch {
	case c < 0:
		return 0
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return c
	case c == '~':
		return -1
	}
	return c + 256
}

func verStrCmp(a, b string) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		ca, cb := -1, -1
		if i < len(a) {
			ca = int(a[i])
		}
		if i < len(b) {
			cb = int(b[i])
		}
		oa, ob := verOrder(ca), verOrder(cb)
		if ca < 0 && cb == '~' {
			return 1
		}
		if cb < 0 && ca == '~' {
			return -1
		}
		if oa != ob {
			return compareFloat(float64(oa), float64(ob))
		}
	}
	return 0
}
