package coreutils

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"unicode/utf8"
)

// exprError is an expr failure: status 2 for a syntax error, 3 otherwise.
type exprError struct {
	msg    string
	status int
}

func (e *exprError) Error() string { return e.msg }

// exprParser evaluates an expr expression as it parses it.
type exprParser struct {
	toks []string
	pos  int
}

// cmdExpr is expr: evaluate an expression (| & < <= = == != >= > + - * / %
// : match substr index length, "+ TOKEN", parentheses) with arbitrary
// precision integers. Exit status 0 when the result is neither empty nor
// 0, 1 when it is, 2 for an invalid expression, 3 for other errors.
func cmdExpr(ctx context.Context, env *Env, args []string) int {
	toks := args[1:]
	if len(toks) > 0 && toks[0] == "--" {
		toks = toks[1:]
	}
	if len(toks) == 0 {
		env.Errorf(args[0], "missing operand")
		fmt.Fprintf(env.Stderr, "Try '%s --help' for more information.\n", args[0])
		return 2
	}
	p := &exprParser{toks: toks}
	v, err := p.or()
	if err == nil && p.pos < len(p.toks) {
		err = &exprError{fmt.Sprintf("syntax error: unexpected argument %s", fileQuote(p.toks[p.pos])), 2}
	}
	if err != nil {
		var ee *exprError
		if errors.As(err, &ee) {
			env.Errorf(args[0], "%s", ee.msg)
			return ee.status
		}
		env.Errorf(args[0], "%s", err)
		return 3
	}
	fmt.Fprintln(env.Stdout, v)
	if v == "" || v == "0" || v == "-0" {
		return 1
	}
	if n, ok := new(big.Int).SetString(v, 10); ok && n.Sign() == 0 {
		return 1
	}
	return 0
}

func (p *exprParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *exprParser) more() bool { return p.pos < len(p.toks) }

func exprNull(v string) bool {
	if v == "" {
		return true
	}
	n, ok := new(big.Int).SetString(v, 10)
	return ok && n.Sign() == 0
}

func (p *exprParser) or() (string, error) {
	l, err := p.and()
	if err != nil {
		return "", err
	}
	for p.more() && p.peek() == "|" {
		p.pos++
		r, err := p.and()
		if err != nil {
			return "", err
		}
		if exprNull(l) {
			if exprNull(r) {
				l = "0"
			} else {
				l = r
			}
		}
	}
	return l, nil
}

func (p *exprParser) and() (string, error) {
	l, err := p.cmp()
	if err != nil {
		return "", err
	}
	for p.more() && p.peek() == "&" {
		p.pos++
		r, err := p.cmp()
		if err != nil {
			return "", err
		}
		if exprNull(l) || exprNull(r) {
			l = "0"
		}
	}
	return l, nil
}

func (p *exprParser) cmp() (string, error) {
	l, err := p.add()
	if err != nil {
		return "", err
	}
	for p.more() {
		op := p.peek()
		switch op {
		case "<", "<=", "=", "==", "!=", ">=", ">":
		default:
			return l, nil
		}
		p.pos++
		r, err := p.add()
		if err != nil {
			return "", err
		}
		var c int
		a, aok := new(big.Int).SetString(l, 10)
		b, bok := new(big.Int).SetString(r, 10)
		if aok && bok {
			c = a.Cmp(b)
		} else {
			c = strings.Compare(l, r)
		}
		res := false
		switch op {
		case "<":
			res = c < 0
		case "<=":
			res = c <= 0
		case "=", "==":
			res = c == 0
		case "!=":
			res = c != 0
		case ">=":
			res = c >= 0
		case ">":
			res = c > 0
		}
		l = "0"
		if res {
			l = "1"
		}
	}
	return l, nil
}

func exprInts(l, r string) (*big.Int, *big.Int, error) {
	a, aok := new(big.Int).SetString(l, 10)
	b, bok := new(big.Int).SetString(r, 10)
	if !aok || !bok {
		return nil, nil, &exprError{"non-integer argument", 2}
	}
	return a, b, nil
}

func (p *exprParser) add() (string, error) {
	l, err := p.mul()
	if err != nil {
		return "", err
	}
	for p.more() && (p.peek() == "+" || p.peek() == "-") {
		op := p.peek()
		p.pos++
		r, err := p.mul()
		if err != nil {
			return "", err
		}
		a, b, err := exprInts(l, r)
		if err != nil {
			return "", err
		}
		if op == "+" {
			l = a.Add(a, b).String()
		} else {
			l = a.Sub(a, b).String()
		}
	}
	return l, nil
}

func (p *exprParser) mul() (string, error) {
	l, err := p.match()
	if err != nil {
		return "", err
	}
	for p.more() && (p.peek() == "*" || p.peek() == "/" || p.peek() == "%") {
		op := p.peek()
		p.pos++
		r, err := p.match()
		if err != nil {
			return "", err
		}
		a, b, err := exprInts(l, r)
		if err != nil {
			return "", err
		}
		switch op {
		case "*":
			l = a.Mul(a, b).String()
		default:
			if b.Sign() == 0 {
				return "", &exprError{"division by zero", 2}
			}
			if op == "/" {
				l = a.Quo(a, b).String()
			} else {
				l = a.Rem(a, b).String()
			}
		}
	}
	return l, nil
}

func (p *exprParser) match() (string, error) {
	l, err := p.primary()
	if err != nil {
		return "", err
	}
	for p.more() && p.peek() == ":" {
		p.pos++
		r, err := p.primary()
		if err != nil {
			return "", err
		}
		l, err = exprMatch(l, r)
		if err != nil {
			return "", err
		}
	}
	return l, nil
}

// exprMatch anchors the basic regular expression pat at the start of s and
// returns the first group's match, or the length of the match.
func exprMatch(s, pat string) (string, error) {
	re, err := regexp.Compile("^(?:" + exprBRE(pat) + ")")
	if err != nil {
		return "", &exprError{"Invalid regular expression", 2}
	}
	m := re.FindStringSubmatchIndex(s)
	if re.NumSubexp() > 0 {
		if m == nil || m[2] < 0 {
			return "", nil
		}
		return s[m[2]:m[3]], nil
	}
	if m == nil {
		return "0", nil
	}
	return fmt.Sprint(utf8.RuneCountInString(s[:m[1]])), nil
}

// exprBRE converts a POSIX basic regular expression to Go syntax.
func exprBRE(pat string) string {
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\' && i+1 < len(pat):
			i++
			switch n := pat[i]; n {
			case '(', ')', '{', '}', '|', '+', '?':
				b.WriteByte(n)
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
		case c == '(' || c == ')' || c == '{' || c == '}' || c == '|' || c == '+' || c == '?':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '*' && i == 0:
			b.WriteString(`\*`)
		case c == '[':
			j := i + 1
			if j < len(pat) && pat[j] == '^' {
				j++
			}
			if j < len(pat) && pat[j] == ']' {
				j++
			}
			for j < len(pat) && pat[j] != ']' {
				j++
			}
			if j >= len(pat) {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(pat[i : j+1])
			i = j
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (p *exprParser) primary() (string, error) {
	if !p.more() {
		if p.pos > 0 {
			return "", &exprError{fmt.Sprintf("syntax error: missing argument after %s", fileQuote(p.toks[p.pos-1])), 2}
		}
		return "", &exprError{"syntax error", 2}
	}
	t := p.peek()
	p.pos++
	args := func(n int) ([]string, error) {
		var vs []string
		for i := 0; i < n; i++ {
			v, err := p.primary()
			if err != nil {
				return nil, err
			}
			vs = append(vs, v)
		}
		return vs, nil
	}
	switch t {
	case "(":
		v, err := p.or()
		if err != nil {
			return "", err
		}
		if p.peek() != ")" || !p.more() {
			return "", &exprError{fmt.Sprintf("syntax error: expecting ')' after %s", fileQuote(p.toks[p.pos-1])), 2}
		}
		p.pos++
		return v, nil
	case "+":
		if !p.more() {
			return "", &exprError{"syntax error: missing argument after '+'", 2}
		}
		p.pos++
		return p.toks[p.pos-1], nil
	case "length":
		a, err := args(1)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(utf8.RuneCountInString(a[0])), nil
	case "match":
		a, err := args(2)
		if err != nil {
			return "", err
		}
		return exprMatch(a[0], a[1])
	case "index":
		a, err := args(2)
		if err != nil {
			return "", err
		}
		i := strings.IndexAny(a[0], a[1])
		if i < 0 {
			return "0", nil
		}
		return fmt.Sprint(utf8.RuneCountInString(a[0][:i]) + 1), nil
	case "substr":
		a, err := args(3)
		if err != nil {
			return "", err
		}
		pos, perr := new(big.Int).SetString(a[1], 10)
		n, nerr := new(big.Int).SetString(a[2], 10)
		rs := []rune(a[0])
		if !perr || !nerr || pos.Sign() <= 0 || n.Sign() <= 0 || !pos.IsInt64() || pos.Int64() > int64(len(rs)) {
			return "", nil
		}
		start := int(pos.Int64()) - 1
		end := len(rs)
		if n.IsInt64() && int64(start)+n.Int64() < int64(end) {
			end = start + int(n.Int64())
		}
		return string(rs[start:end]), nil
	case ")":
		return "", &exprError{"syntax error: unexpected ')'", 2}
	}
	return t, nil
}
