package coreutils

import (
	"errors"
	"regexp"
	"strings"
)

// errBackref reports a back-reference in a pattern, which RE2 cannot match.
var errBackref = errors.New("back-references in patterns are not supported")

// translateRE turns a POSIX basic (ere=false) or extended (ere=true) regular
// expression, with the GNU extensions \w \W \s \S \b \B \< \> \` \', into Go
// regexp syntax.
func translateRE(pat string, ere bool) (string, error) {
	return translateREMode(pat, ere, reGrep)
}

// Escape handling inside bracket expressions differs between tools.
const (
	reGrep = iota // POSIX: a backslash is literal
	reSed         // GNU sed: \n \t \r \f \v \a are control characters
	reAwk         // awk: those, plus \\ \/ \" \] \[ \-
)

func translateREMode(pat string, ere bool, mode int) (string, error) {
	b := &reBuf{repEnd: -1, anchorEnd: -1}
	// atStart is true where '*' is literal in a BRE and '^' is an anchor.
	atStart := true
	depth := 0
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch c {
		case '[':
			j, cls, err := bracket(pat, i, mode)
			if err != nil {
				return "", err
			}
			b.WriteString(cls)
			i = j
			atStart = false
			continue
		case '\\':
			if i+1 >= len(pat) {
				return "", errors.New("trailing backslash (\\)")
			}
			i++
			d := pat[i]
			if !ere {
				switch d {
				case '(':
					b.WriteString("(")
					depth++
					atStart = true
					continue
				case ')':
					b.WriteString(")")
					depth--
					atStart = false
					continue
				case '{':
					b.WriteString("{")
					continue
				case '}':
					b.WriteString("}")
					continue
				case '|':
					b.WriteString("|")
					atStart = true
					continue
				case '+', '?':
					if atStart {
						b.WriteString(`\` + string(d))
					} else {
						b.rep(d)
					}
					continue
				}
			}
			switch {
			case d >= '1' && d <= '9':
				return "", errBackref
			case d == 'w' || d == 'W' || d == 's' || d == 'S' || d == 'b' || d == 'B':
				b.WriteByte('\\')
				b.WriteByte(d)
			case d == '<' || d == '>':
				b.WriteString(`\b`)
			case d == '`':
				b.WriteString(`\A`)
			case d == '\'':
				b.WriteString(`\z`)
			case d == 'n':
				b.WriteString(`\n`)
			case d == 't':
				b.WriteString(`\t`)
			default:
				b.WriteString(regexp.QuoteMeta(string(d)))
			}
			atStart = false
			continue
		case '*':
			if atStart {
				b.WriteString(`\*`)
				atStart = false
				continue
			}
			b.rep('*')
			continue
		case '^':
			if ere || atStart && b.anchorEnd != len(b.buf) {
				b.WriteByte('^')
				b.anchorEnd = len(b.buf)
			} else {
				b.WriteString(`\^`)
			}
			continue
		case '$':
			if ere || i+1 == len(pat) || strings.HasPrefix(pat[i+1:], `\)`) || strings.HasPrefix(pat[i+1:], `\|`) {
				b.WriteByte('$')
			} else {
				b.WriteString(`\$`)
			}
			atStart = false
			continue
		}
		if ere {
			switch c {
			case '(':
				depth++
				b.WriteByte(c)
				atStart = true
				continue
			case ')':
				if depth == 0 {
					b.WriteString(`\)`)
				} else {
					depth--
					b.WriteByte(c)
				}
				atStart = false
				continue
			case '|':
				b.WriteByte(c)
				atStart = true
				continue
			case '+', '?':
				if atStart {
					b.WriteString(`\` + string(c))
				} else {
					b.rep(c)
				}
				continue
			case '{':
				// A '{' that does not start a valid interval is literal.
				if j := strings.IndexByte(pat[i:], '}'); j > 0 && validInterval(pat[i+1:i+j]) && !atStart {
					b.WriteString(pat[i : i+j+1])
					i += j
				} else {
					b.WriteString(`\{`)
				}
				continue
			}
		} else {
			switch c {
			case '(', ')', '|', '+', '?', '{', '}':
				b.WriteString(`\` + string(c))
				atStart = false
				continue
			}
		}
		if c == '.' {
			b.WriteByte('.')
		} else {
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
		atStart = false
	}
	return b.String(), nil
}

// reBuf accumulates a translated pattern. POSIX allows stacked repetition
// operators ("a**", "a+*"), which RE2 refuses; rep folds them into one.
type reBuf struct {
	buf       []byte
	repEnd    int // length just after the last repetition operator
	anchorEnd int // length just after the last '^' anchor
}

func (r *reBuf) WriteString(s string) { r.buf = append(r.buf, s...) }

func (r *reBuf) WriteByte(c byte) error {
	r.buf = append(r.buf, c)
	return nil
}

func (r *reBuf) String() string { return string(r.buf) }

// rep writes the repetition operator c ('*', '+' or '?').
func (r *reBuf) rep(c byte) {
	if r.repEnd == len(r.buf) && r.repEnd > 0 {
		prev := r.buf[len(r.buf)-1]
		if prev == '*' || prev == '+' || prev == '?' {
			// x** = x*, x++ = x+, x?? = x?; any other pair is x*.
			if prev != c {
				r.buf[len(r.buf)-1] = '*'
			}
			return
		}
	}
	r.buf = append(r.buf, c)
	r.repEnd = len(r.buf)
}

func validInterval(s string) bool {
	if s == "" {
		return false
	}
	lo, hi, comma := strings.Cut(s, ",")
	isNum := func(x string) bool {
		for _, r := range x {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	if !isNum(lo) || !isNum(hi) {
		return false
	}
	return lo != "" || (comma && hi != "")
}

// bracket translates the bracket expression starting at pat[i] ('[') and
// returns the index of its closing ']'.
func bracket(pat string, i int, mode int) (int, string, error) {
	var b strings.Builder
	b.WriteByte('[')
	j := i + 1
	if j < len(pat) && pat[j] == '^' {
		b.WriteByte('^')
		j++
	}
	first := true
	for ; j < len(pat); j++ {
		c := pat[j]
		switch {
		case c == ']' && !first:
			b.WriteByte(']')
			return j, b.String(), nil
		case c == '[' && j+1 < len(pat) && (pat[j+1] == ':' || pat[j+1] == '.' || pat[j+1] == '='):
			kind := pat[j+1]
			end := strings.Index(pat[j+2:], string(kind)+"]")
			if end < 0 {
				return 0, "", errors.New("unmatched [, [^, [:, [., or [=")
			}
			name := pat[j+2 : j+2+end]
			switch kind {
			case ':':
				b.WriteString("[:" + name + ":]")
			default:
				b.WriteString(regexp.QuoteMeta(name))
			}
			j = j + 2 + end + 1
		case c == '\\' && mode != reGrep && j+1 < len(pat) && strings.IndexByte("ntrfva", pat[j+1]) >= 0:
			b.WriteString(`\` + string(pat[j+1]))
			j++
		case c == '\\' && mode == reAwk && j+1 < len(pat) && strings.IndexByte(`\/"][-^`, pat[j+1]) >= 0:
			b.WriteString(`\` + string(pat[j+1]))
			j++
		case c == '\\' || c == '[' || c == ']':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		first = false
	}
	return 0, "", errors.New("unmatched [, [^, [:, [., or [=")
}

// compileRE compiles a POSIX pattern with leftmost-longest semantics.
// flags is a Go flag prefix such as "(?i)" or "".
func compileRE(pat string, ere bool, flags string) (*regexp.Regexp, error) {
	return compileREMode(pat, ere, flags, reGrep)
}

func compileREMode(pat string, ere bool, flags string, mode int) (*regexp.Regexp, error) {
	t, err := translateREMode(pat, ere, mode)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(flags + t)
	if err != nil {
		return nil, err
	}
	re.Longest()
	return re, nil
}
