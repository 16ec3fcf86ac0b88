package coreutils

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// sedAddrKind is the kind of a sed address.
type sedAddrKind int

const (
	sedLine  sedAddrKind = iota + 1 // a line number
	sedLast                         // $
	sedRegex                        // /re/
	sedStep                         // first~step
	sedPlus                         // +N (second address only)
	sedMult                         // ~N (second address only)
	sedZero                         // 0 (first address of 0,/re/)
)

type sedAddr struct {
	kind  sedAddrKind
	n, m  int
	re    *regexp.Regexp
	empty bool // the empty regex: reuse the last one
}

// sedCmd is one command of a parsed script.
type sedCmd struct {
	a1, a2 *sedAddr
	neg    bool
	name   byte
	// jump is the index of the matching '}' for '{', the target of b/t/T.
	jump  int
	label string
	text  string // a i c text; r w file name; : label
	// s and y
	re      *regexp.Regexp
	emptyRE bool
	repl    []sedReplPart
	global  bool
	nth     int
	print   int // number of p flags
	wfile   string
	ymap    map[rune]rune
	exit    int
	// range state
	active bool
	end    int
}

type sedReplPart struct {
	lit   string
	group int // -1 for a literal
	conv  byte
}

// sedParseError is a script error in GNU form.
type sedParseError struct {
	expr int
	pos  int
	msg  string
}

func (e *sedParseError) Error() string {
	if e.expr == 0 {
		return fmt.Sprintf("-e expression #1, char %d: %s", e.pos, e.msg)
	}
	return fmt.Sprintf("-e expression #%d, char %d: %s", e.expr, e.pos, e.msg)
}

type sedParser struct {
	s    string
	i    int
	ere  bool
	cmds []*sedCmd
}

func (p *sedParser) fail(msg string) error {
	return &sedParseError{pos: p.i, msg: msg}
}

func (p *sedParser) eof() bool { return p.i >= len(p.s) }

func (p *sedParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *sedParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// parseSed parses a whole sed script.
func parseSed(script string, ere bool) ([]*sedCmd, error) {
	p := &sedParser{s: script, ere: ere}
	var stack []int
	for {
		for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == ';') {
			p.i++
		}
		if p.eof() {
			break
		}
		if p.peek() == '#' {
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
			continue
		}
		c := &sedCmd{}
		var err error
		if c.a1, err = p.addr(false); err != nil {
			return nil, err
		}
		if c.a1 != nil && p.peek() == ',' {
			p.i++
			p.skipSpace()
			if c.a2, err = p.addr(true); err != nil {
				return nil, err
			}
			if c.a2 == nil {
				return nil, p.fail("unexpected `,'")
			}
		}
		if c.a1 != nil && c.a1.kind == sedZero && (c.a2 == nil || c.a2.kind != sedRegex) {
			return nil, p.fail("invalid usage of line address 0")
		}
		p.skipSpace()
		for p.peek() == '!' {
			c.neg = true
			p.i++
			p.skipSpace()
		}
		if p.eof() {
			return nil, p.fail("missing command")
		}
		c.name = p.s[p.i]
		p.i++
		switch c.name {
		case '{':
			stack = append(stack, len(p.cmds))
		case '}':
			if c.a1 != nil {
				return nil, p.fail("} doesn't want any addresses")
			}
			if len(stack) == 0 {
				return nil, p.fail("unexpected `}'")
			}
			open := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			p.cmds[open].jump = len(p.cmds)
		case '=', 'd', 'D', 'g', 'G', 'h', 'H', 'n', 'N', 'p', 'P', 'x', 'z', 'F':
		case 'a', 'i', 'c':
			c.text = p.text()
		case ':':
			if c.a1 != nil {
				return nil, p.fail(": doesn't want any addresses")
			}
			p.skipSpace()
			c.label = p.labelText(true)
			if c.label == "" {
				return nil, p.fail("\":\" lacks a label")
			}
		case 'b', 't', 'T':
			p.skipSpace()
			c.label = p.labelText(false)
		case 'r', 'R', 'w', 'W':
			p.skipSpace()
			c.text = p.restOfLine()
			if c.text == "" && (c.name == 'w' || c.name == 'W') {
				return nil, p.fail("missing filename in r/R/w/W commands")
			}
		case 'q', 'Q', 'l', 'L':
			p.skipSpace()
			j := p.i
			for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				p.i++
			}
			if j < p.i {
				c.exit, _ = strconv.Atoi(p.s[j:p.i])
			}
		case 's':
			if err := p.subst(c); err != nil {
				return nil, err
			}
		case 'y':
			if err := p.translit(c); err != nil {
				return nil, err
			}
		default:
			p.i--
			return nil, &sedParseError{pos: p.i + 1, msg: fmt.Sprintf("unknown command: `%c'", c.name)}
		}
		p.cmds = append(p.cmds, c)
		// After a command: spaces, then ; newline } # or end.
		p.skipSpace()
		if !p.eof() && c.name != '{' {
			switch p.peek() {
			case ';', '\n':
				p.i++
			case '}', '#':
			default:
				if c.name != 'a' && c.name != 'i' && c.name != 'c' {
					return nil, p.fail(fmt.Sprintf("extra characters after command"))
				}
			}
		}
	}
	if len(stack) > 0 {
		return nil, &sedParseError{pos: len(script), msg: "unmatched `{'"}
	}
	// Resolve labels.
	labels := map[string]int{}
	for i, c := range p.cmds {
		if c.name == ':' {
			if _, dup := labels[c.label]; dup {
				return nil, &sedParseError{pos: len(script), msg: fmt.Sprintf("duplicate label `%s'", c.label)}
			}
			labels[c.label] = i
		}
	}
	for _, c := range p.cmds {
		if c.name == 'b' || c.name == 't' || c.name == 'T' {
			if c.label == "" {
				c.jump = len(p.cmds)
				continue
			}
			j, ok := labels[c.label]
			if !ok {
				return nil, fmt.Errorf("-e expression #1, char 0: can't find label for jump to `%s'", c.label)
			}
			c.jump = j
		}
	}
	return p.cmds, nil
}

func (p *sedParser) labelText(colon bool) string {
	j := p.i
	for p.i < len(p.s) && p.s[p.i] != '\n' && p.s[p.i] != ';' {
		if !colon && (p.s[p.i] == '}') {
			break
		}
		p.i++
	}
	return strings.TrimRight(p.s[j:p.i], " \t")
}

func (p *sedParser) restOfLine() string {
	j := p.i
	for p.i < len(p.s) && p.s[p.i] != '\n' {
		p.i++
	}
	return p.s[j:p.i]
}

// text reads the text argument of a, i and c (both the one-line GNU form
// and the POSIX "a\<newline>text" form).
func (p *sedParser) text() string {
	p.skipSpace()
	if p.peek() == '\\' {
		p.i++
		if p.peek() == '\n' {
			p.i++
		} else {
			p.skipSpace()
		}
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '\\' && p.i+1 < len(p.s) {
			p.i++
			b.WriteByte(p.s[p.i])
			p.i++
			continue
		}
		if c == '\n' {
			p.i++
			break
		}
		b.WriteByte(c)
		p.i++
	}
	return b.String()
}

func (p *sedParser) number() (int, bool) {
	j := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if j == p.i {
		return 0, false
	}
	n, err := strconv.Atoi(p.s[j:p.i])
	return n, err == nil
}

func (p *sedParser) addr(second bool) (*sedAddr, error) {
	c := p.peek()
	switch {
	case c >= '0' && c <= '9':
		n, _ := p.number()
		if p.peek() == '~' && !second {
			p.i++
			m, ok := p.number()
			if !ok {
				m = 0
			}
			return &sedAddr{kind: sedStep, n: n, m: m}, nil
		}
		if n == 0 && !second {
			return &sedAddr{kind: sedZero}, nil
		}
		if n == 0 {
			return nil, p.fail("invalid usage of line address 0")
		}
		return &sedAddr{kind: sedLine, n: n}, nil
	case c == '$':
		p.i++
		return &sedAddr{kind: sedLast}, nil
	case (c == '+' || c == '~') && second:
		p.i++
		n, ok := p.number()
		if !ok {
			return nil, p.fail("expected newer version of sed")
		}
		if c == '+' {
			return &sedAddr{kind: sedPlus, n: n}, nil
		}
		return &sedAddr{kind: sedMult, n: n}, nil
	case c == '/' || c == '\\':
		if c == '\\' {
			p.i++
		}
		if p.eof() {
			return nil, p.fail("unexpected end of script")
		}
		delim := p.s[p.i]
		p.i++
		raw, err := p.delimited(delim, true)
		if err != nil {
			return nil, p.fail("unterminated address regex")
		}
		flags := ""
		for p.peek() == 'I' || p.peek() == 'M' {
			if p.peek() == 'I' {
				flags += "i"
			} else {
				flags += "m"
			}
			p.i++
		}
		a := &sedAddr{kind: sedRegex}
		if raw == "" {
			a.empty = true
			return a, nil
		}
		a.re, err = sedCompile(raw, p.ere, flags)
		if err != nil {
			return nil, p.fail(err.Error())
		}
		return a, nil
	}
	return nil, nil
}

// delimited reads up to an unescaped delim. In a regex, "\delim" becomes
// delim and "\n" stays an escape for the regex translator.
func (p *sedParser) delimited(delim byte, isRegex bool) (string, error) {
	var b strings.Builder
	inBracket := false
	for p.i < len(p.s) {
		c := p.s[p.i]
		if isRegex && c == '[' && !inBracket {
			inBracket = true
			b.WriteByte(c)
			p.i++
			if p.peek() == '^' {
				b.WriteByte('^')
				p.i++
			}
			if p.peek() == ']' {
				b.WriteByte(']')
				p.i++
			}
			continue
		}
		if inBracket {
			if c == '[' && p.i+1 < len(p.s) && (p.s[p.i+1] == ':' || p.s[p.i+1] == '.' || p.s[p.i+1] == '=') {
				end := strings.Index(p.s[p.i+2:], string(p.s[p.i+1])+"]")
				if end >= 0 {
					b.WriteString(p.s[p.i : p.i+2+end+2])
					p.i += 2 + end + 2
					continue
				}
			}
			if c == ']' {
				inBracket = false
			}
			if c == '\n' && delim != '\n' {
				return "", p.fail("unterminated")
			}
			b.WriteByte(c)
			p.i++
			continue
		}
		if c == '\\' && p.i+1 < len(p.s) {
			d := p.s[p.i+1]
			p.i += 2
			switch {
			case d == delim:
				if isRegex && strings.IndexByte(".*[]^$+?(){}|", d) >= 0 && delim != '/' {
					// A special character used as the delimiter stays literal.
					b.WriteByte('\\')
				}
				b.WriteByte(d)
			case d == '\n':
				if isRegex {
					b.WriteString(`\n`)
				} else {
					b.WriteByte('\n')
				}
			default:
				b.WriteByte('\\')
				b.WriteByte(d)
			}
			continue
		}
		if c == delim {
			p.i++
			return b.String(), nil
		}
		if c == '\n' && isRegex {
			return "", p.fail("unterminated")
		}
		b.WriteByte(c)
		p.i++
	}
	return "", p.fail("unterminated")
}

// sedCompile compiles a sed regex. In sed, '.' matches a newline too.
func sedCompile(raw string, ere bool, flags string) (*regexp.Regexp, error) {
	return compileREMode(raw, ere, "(?s"+flags+")", reSed)
}

func (p *sedParser) subst(c *sedCmd) error {
	if p.eof() {
		return p.fail("unterminated `s' command")
	}
	delim := p.s[p.i]
	if delim == '\n' || delim == '\\' {
		return p.fail("unterminated `s' command")
	}
	p.i++
	raw, err := p.delimited(delim, true)
	if err != nil {
		return p.fail("unterminated `s' command")
	}
	replRaw, err := p.replacement(delim)
	if err != nil {
		return err
	}
	flags := ""
	for !p.eof() {
		f := p.peek()
		switch {
		case f == 'g':
			c.global = true
		case f == 'p':
			c.print++
		case f == 'i' || f == 'I':
			flags += "i"
		case f == 'm' || f == 'M':
			flags += "m"
		case f == 'e':
		case f >= '0' && f <= '9':
			n, _ := p.number()
			if n == 0 {
				return p.fail("number option to `s' command may not be zero")
			}
			c.nth = n
			continue
		case f == 'w':
			p.i++
			p.skipSpace()
			c.wfile = p.restOfLine()
			continue
		case f == ';' || f == '\n' || f == '}' || f == ' ' || f == '\t' || f == '#':
			goto done
		default:
			return p.fail("unknown option to `s'")
		}
		p.i++
	}
done:
	if raw == "" {
		c.emptyRE = true
	} else {
		c.re, err = sedCompile(raw, p.ere, flags)
		if err != nil {
			return p.fail(err.Error())
		}
	}
	c.repl, err = parseSedRepl(replRaw, c.re)
	if err != nil {
		return p.fail(err.Error())
	}
	return nil
}

func (p *sedParser) replacement(delim byte) (string, error) {
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '\\' && p.i+1 < len(p.s) {
			d := p.s[p.i+1]
			p.i += 2
			if d == delim && delim != '&' {
				b.WriteByte(d)
			} else if d == '\n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte('\\')
				b.WriteByte(d)
			}
			continue
		}
		if c == delim {
			p.i++
			return b.String(), nil
		}
		b.WriteByte(c)
		p.i++
	}
	return "", p.fail("unterminated `s' command")
}

func parseSedRepl(s string, re *regexp.Regexp) ([]sedReplPart, error) {
	var parts []sedReplPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, sedReplPart{lit: lit.String(), group: -1})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '&' {
			flush()
			parts = append(parts, sedReplPart{group: 0})
			continue
		}
		if c != '\\' || i+1 >= len(s) {
			lit.WriteByte(c)
			continue
		}
		i++
		d := s[i]
		switch {
		case d >= '0' && d <= '9':
			n := int(d - '0')
			if re != nil && n > re.NumSubexp() {
				return nil, fmt.Errorf("invalid reference \\%d on `s' command's RHS", n)
			}
			flush()
			parts = append(parts, sedReplPart{group: n})
		case d == 'n':
			lit.WriteByte('\n')
		case d == 't':
			lit.WriteByte('\t')
		case d == 'r':
			lit.WriteByte('\r')
		case d == 'L' || d == 'U' || d == 'l' || d == 'u' || d == 'E':
			flush()
			parts = append(parts, sedReplPart{group: -2, conv: d})
		default:
			lit.WriteByte(d)
		}
	}
	flush()
	return parts, nil
}

func (p *sedParser) translit(c *sedCmd) error {
	if p.eof() {
		return p.fail("unterminated `y' command")
	}
	delim := p.s[p.i]
	p.i++
	src, err := p.delimited(delim, false)
	if err != nil {
		return p.fail("unterminated `y' command")
	}
	dst, err := p.delimited(delim, false)
	if err != nil {
		return p.fail("unterminated `y' command")
	}
	unesc := func(s string) []rune {
		var r []rune
		rs := []rune(s)
		for i := 0; i < len(rs); i++ {
			if rs[i] == '\\' && i+1 < len(rs) {
				i++
				switch rs[i] {
				case 'n':
					r = append(r, '\n')
				case 't':
					r = append(r, '\t')
				default:
					r = append(r, rs[i])
				}
				continue
			}
			r = append(r, rs[i])
		}
		return r
	}
	a, b := unesc(src), unesc(dst)
	if len(a) != len(b) {
		return p.fail("strings for `y' command are different lengths")
	}
	c.ymap = map[rune]rune{}
	for i := range a {
		c.ymap[a[i]] = b[i]
	}
	return nil
}
