package coreutils

import (
	"fmt"
	"strings"
)

type awkTok int

const (
	tEOF awkTok = iota
	tNewline
	tLbrace
	tRbrace
	tLparen
	tRparen
	tLbracket
	tRbracket
	tSemi
	tComma
	tNumber
	tString
	tRegex
	tName
	tFuncName // a name directly followed by '('
	tBuiltin
	tOp // operators; text holds the operator
	// keywords
	tBEGIN
	tEND
	tFunction
	tIf
	tElse
	tWhile
	tFor
	tDo
	tBreak
	tContinue
	tNext
	tNextfile
	tExit
	tReturn
	tDelete
	tIn
	tGetline
	tPrint
	tPrintf
)

var awkKeywords = map[string]awkTok{
	"BEGIN": tBEGIN, "END": tEND, "function": tFunction, "func": tFunction,
	"if": tIf, "else": tElse, "while": tWhile, "for": tFor, "do": tDo,
	"break": tBreak, "continue": tContinue, "next": tNext, "nextfile": tNextfile,
	"exit": tExit, "return": tReturn, "delete": tDelete, "in": tIn,
	"getline": tGetline, "print": tPrint, "printf": tPrintf,
}

var awkBuiltins = map[string]bool{
	"length": true, "substr": true, "index": true, "split": true, "sub": true,
	"gsub": true, "match": true, "sprintf": true, "tolower": true, "toupper": true,
	"int": true, "sqrt": true, "exp": true, "log": true, "sin": true, "cos": true,
	"atan2": true, "rand": true, "srand": true, "system": true, "close": true,
	"fflush": true, "gensub": true, "systime": true, "strftime": true,
}

type awkToken struct {
	tok  awkTok
	text string
	num  float64
	line int
	pos  int
}

type awkLexer struct {
	src      string
	i        int
	line     int
	last     awkTok
	lastText string
}

// awkSyntaxError is a syntax error in an awk program.
type awkSyntaxError struct {
	line int
	msg  string
}

func (e *awkSyntaxError) Error() string {
	return fmt.Sprintf("line %d: %s", e.line, e.msg)
}

// regexAllowed reports whether '/' starts a regex after the previous token.
func (l *awkLexer) regexAllowed() bool {
	switch l.last {
	case tNumber, tString, tRegex, tName, tBuiltin, tRparen, tRbracket:
		return false
	case tOp:
		return l.lastText != "$" && l.lastText != "++" && l.lastText != "--"
	}
	return true
}

func (l *awkLexer) next() (awkToken, error) {
	t, err := l.scan()
	if err == nil {
		l.last, l.lastText = t.tok, t.text
	}
	return t, err
}

func (l *awkLexer) scan() (awkToken, error) {
	for l.i < len(l.src) {
		c := l.src[l.i]
		if c == ' ' || c == '\t' || c == '\r' {
			l.i++
			continue
		}
		if c == '\\' && l.i+1 < len(l.src) && l.src[l.i+1] == '\n' {
			l.i += 2
			l.line++
			continue
		}
		if c == '\\' && l.i+2 < len(l.src) && l.src[l.i+1] == '\r' && l.src[l.i+2] == '\n' {
			l.i += 3
			l.line++
			continue
		}
		if c == '#' {
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.i++
			}
			continue
		}
		break
	}
	tk := awkToken{line: l.line, pos: l.i}
	if l.i >= len(l.src) {
		tk.tok = tEOF
		return tk, nil
	}
	c := l.src[l.i]
	switch {
	case c == '\n':
		l.i++
		l.line++
		tk.tok = tNewline
		return tk, nil
	case c >= '0' && c <= '9' || c == '.' && l.i+1 < len(l.src) && l.src[l.i+1] >= '0' && l.src[l.i+1] <= '9':
		j := l.i
		if c == '0' && j+1 < len(l.src) && (l.src[j+1] == 'x' || l.src[j+1] == 'X') && j+2 < len(l.src) && isHex(l.src[j+2]) {
			j += 2
			for j < len(l.src) && isHex(l.src[j]) {
				j++
			}
			var n int64
			fmt.Sscanf(l.src[l.i+2:j], "%x", &n)
			tk.tok, tk.num, tk.text = tNumber, float64(n), l.src[l.i:j]
			l.i = j
			return tk, nil
		}
		for j < len(l.src) && l.src[j] >= '0' && l.src[j] <= '9' {
			j++
		}
		if j < len(l.src) && l.src[j] == '.' {
			j++
			for j < len(l.src) && l.src[j] >= '0' && l.src[j] <= '9' {
				j++
			}
		}
		if j < len(l.src) && (l.src[j] == 'e' || l.src[j] == 'E') {
			k := j + 1
			if k < len(l.src) && (l.src[k] == '+' || l.src[k] == '-') {
				k++
			}
			if k < len(l.src) && l.src[k] >= '0' && l.src[k] <= '9' {
				for k < len(l.src) && l.src[k] >= '0' && l.src[k] <= '9' {
					k++
				}
				j = k
			}
		}
		tk.tok, tk.text = tNumber, l.src[l.i:j]
		tk.num = awkStrToNum(tk.text)
		l.i = j
		return tk, nil
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		j := l.i
		for j < len(l.src) && (l.src[j] == '_' || l.src[j] >= 'a' && l.src[j] <= 'z' || l.src[j] >= 'A' && l.src[j] <= 'Z' || l.src[j] >= '0' && l.src[j] <= '9') {
			j++
		}
		word := l.src[l.i:j]
		l.i = j
		tk.text = word
		if kw, ok := awkKeywords[word]; ok {
			tk.tok = kw
			return tk, nil
		}
		if awkBuiltins[word] {
			tk.tok = tBuiltin
			return tk, nil
		}
		if j < len(l.src) && l.src[j] == '(' {
			tk.tok = tFuncName
			return tk, nil
		}
		tk.tok = tName
		return tk, nil
	case c == '"':
		s, err := l.str()
		if err != nil {
			return tk, err
		}
		tk.tok, tk.text = tString, s
		return tk, nil
	case c == '/' && l.regexAllowed():
		l.i++
		var b strings.Builder
		inBr := false
		for {
			if l.i >= len(l.src) || l.src[l.i] == '\n' {
				return tk, &awkSyntaxError{l.line, "unterminated regexp"}
			}
			d := l.src[l.i]
			if d == '\\' && l.i+1 < len(l.src) {
				if l.src[l.i+1] == '/' {
					b.WriteByte('/')
				} else {
					b.WriteByte('\\')
					b.WriteByte(l.src[l.i+1])
				}
				l.i += 2
				continue
			}
			if d == '[' && !inBr {
				inBr = true
				b.WriteByte(d)
				l.i++
				if l.i < len(l.src) && l.src[l.i] == '^' {
					b.WriteByte('^')
					l.i++
				}
				if l.i < len(l.src) && l.src[l.i] == ']' {
					b.WriteByte(']')
					l.i++
				}
				continue
			}
			if d == ']' && inBr {
				inBr = false
			}
			if d == '/' && !inBr {
				l.i++
				break
			}
			b.WriteByte(d)
			l.i++
		}
		tk.tok, tk.text = tRegex, b.String()
		return tk, nil
	}
	l.i++
	switch c {
	case '{':
		tk.tok = tLbrace
	case '}':
		tk.tok = tRbrace
	case '(':
		tk.tok = tLparen
	case ')':
		tk.tok = tRparen
	case '[':
		tk.tok = tLbracket
	case ']':
		tk.tok = tRbracket
	case ';':
		tk.tok = tSemi
	case ',':
		tk.tok = tComma
	default:
		tk.tok = tOp
		two := ""
		if l.i < len(l.src) {
			two = string(c) + string(l.src[l.i])
		}
		switch two {
		case "+=", "-=", "*=", "/=", "%=", "^=", "==", "<=", ">=", "!=", "++", "--", "&&", "||", ">>", "!~", "**":
			l.i++
			if two == "**" {
				two = "^"
				if l.i < len(l.src) && l.src[l.i] == '=' {
					l.i++
					two = "^="
				}
			}
			tk.text = two
			return tk, nil
		}
		if strings.IndexByte("+-*/%^!><|?:~$=", c) < 0 {
			return tk, &awkSyntaxError{l.line, fmt.Sprintf("syntax error at or near %c", c)}
		}
		tk.text = string(c)
	}
	return tk, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (l *awkLexer) str() (string, error) {
	l.i++ // opening quote
	var b strings.Builder
	for {
		if l.i >= len(l.src) || l.src[l.i] == '\n' {
			return "", &awkSyntaxError{l.line, "runaway string constant"}
		}
		c := l.src[l.i]
		if c == '"' {
			l.i++
			return b.String(), nil
		}
		if c == '\\' && l.i+1 < len(l.src) {
			l.i++
			d := l.src[l.i]
			switch d {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\':
				b.WriteByte('\\')
			case '"':
				b.WriteByte('"')
			case '/':
				b.WriteByte('/')
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'v':
				b.WriteByte('\v')
			case '\n':
				l.line++
			case '0', '1', '2', '3', '4', '5', '6', '7':
				n := 0
				k := 0
				for k < 3 && l.i < len(l.src) && l.src[l.i] >= '0' && l.src[l.i] <= '7' {
					n = n*8 + int(l.src[l.i]-'0')
					l.i++
					k++
				}
				b.WriteByte(byte(n))
				continue
			default:
				// Keep the backslash for regex use ("\." in a dynamic regex).
				b.WriteByte('\\')
				b.WriteByte(d)
			}
			l.i++
			continue
		}
		b.WriteByte(c)
		l.i++
	}
}
