package coreutils

import (
	"fmt"
)

// awk AST

type awkExpr interface{}

type (
	aNum   struct{ v float64 }
	aStr   struct{ s string }
	aRegex struct{ re string }
	aVar   struct {
		name  string
		local int // -1 for a global
	}
	aField struct{ idx awkExpr }
	aIndex struct {
		arr *aVar
		idx []awkExpr
	}
	aAssign struct {
		lhs awkExpr
		op  string // "=" or "+=" ...
		rhs awkExpr
	}
	aCond struct{ c, a, b awkExpr }
	aBin  struct {
		op   string
		l, r awkExpr
	}
	aUnary struct {
		op string
		e  awkExpr
	}
	aIncDec struct {
		lhs awkExpr
		pre bool
		op  string
	}
	aIn struct {
		idx []awkExpr
		arr *aVar
	}
	aMatch struct {
		neg  bool
		l, r awkExpr
	}
	aBuiltin struct {
		name string
		args []awkExpr
	}
	aCall struct {
		name string
		args []awkExpr
	}
	aGetline struct {
		kind string // "", "<", "|"
		lhs  awkExpr
		src  awkExpr
	}
	aGroup struct{ e awkExpr }
)

type awkStmt interface{}

type (
	sPrint struct {
		printf bool
		args   []awkExpr
		redir  string
		dest   awkExpr
	}
	sExpr struct{ e awkExpr }
	sIf   struct {
		c         awkExpr
		then, els awkStmt
	}
	sWhile struct {
		c    awkExpr
		body awkStmt
	}
	sDo struct {
		body awkStmt
		c    awkExpr
	}
	sFor struct {
		init, post awkStmt
		c          awkExpr
		body       awkStmt
	}
	sForIn struct {
		v    awkExpr
		arr  *aVar
		body awkStmt
	}
	sBlock    []awkStmt
	sNext     struct{}
	sNextfile struct{}
	sExit     struct{ e awkExpr }
	sReturn   struct{ e awkExpr }
	sBreak    struct{}
	sContinue struct{}
	sDelete   struct {
		arr *aVar
		idx []awkExpr
	}
)

type awkItem struct {
	kind    string // "BEGIN", "END", "main"
	pattern awkExpr
	pat2    awkExpr // range end
	isRange bool
	body    sBlock // nil: print $0
	inRange bool
}

type awkFunc struct {
	name   string
	params []string
	body   sBlock
}

type awkProgram struct {
	begin, end []*awkItem
	main       []*awkItem
	funcs      map[string]*awkFunc
}

type awkParser struct {
	lex    *awkLexer
	tok    awkToken
	peeked *awkToken
	locals map[string]int
	// noIn disables 'in' (for-statement init); noGT disables '>' (print).
	noIn, noGT bool
	loops      int
	inFunc     bool
	calls      []aCall
	// pending is a parsed first operand for continueExpr.
	pending awkExpr
}

func parseAwk(src string) (prog *awkProgram, err error) {
	p := &awkParser{lex: &awkLexer{src: src, line: 1}}
	defer func() {
		if r := recover(); r != nil {
			if se, ok := r.(*awkSyntaxError); ok {
				prog, err = nil, se
				return
			}
			panic(r)
		}
	}()
	p.advance()
	prog = &awkProgram{funcs: map[string]*awkFunc{}}
	p.skipTerms()
	for p.tok.tok != tEOF {
		switch p.tok.tok {
		case tBEGIN:
			p.advance()
			prog.begin = append(prog.begin, &awkItem{kind: "BEGIN", body: p.block()})
		case tEND:
			p.advance()
			prog.end = append(prog.end, &awkItem{kind: "END", body: p.block()})
		case tFunction:
			p.function(prog)
		default:
			it := &awkItem{kind: "main"}
			if p.tok.tok != tLbrace {
				it.pattern = p.expr()
				if p.tok.tok == tComma {
					p.advance()
					p.optNewlines()
					it.isRange = true
					it.pat2 = p.expr()
				}
			}
			if p.tok.tok == tLbrace {
				it.body = p.block()
			}
			prog.main = append(prog.main, it)
		}
		p.skipTerms()
	}
	for _, c := range p.calls {
		f, ok := prog.funcs[c.name]
		if !ok {
			return nil, &awkSyntaxError{p.tok.line, fmt.Sprintf("function %s never defined", c.name)}
		}
		if len(c.args) > len(f.params) {
			return nil, &awkSyntaxError{p.tok.line, fmt.Sprintf("function %s called with %d args, accepts only %d", c.name, len(c.args), len(f.params))}
		}
	}
	return prog, nil
}

func (p *awkParser) fail(format string, args ...any) {
	panic(&awkSyntaxError{p.tok.line, fmt.Sprintf(format, args...)})
}

func (p *awkParser) advance() {
	if p.peeked != nil {
		p.tok = *p.peeked
		p.peeked = nil
		return
	}
	t, err := p.lex.next()
	if err != nil {
		panic(err)
	}
	p.tok = t
}

func (p *awkParser) peek() awkToken {
	if p.peeked == nil {
		t, err := p.lex.next()
		if err != nil {
			panic(err)
		}
		p.peeked = &t
	}
	return *p.peeked
}

func (p *awkParser) expect(t awkTok, what string) {
	if p.tok.tok != t {
		p.syntaxErr()
	}
	p.advance()
}

func (p *awkParser) syntaxErr() {
	text := p.tok.text
	switch p.tok.tok {
	case tEOF:
		text = "end of file"
	case tNewline:
		text = "end of line"
	case tLbrace:
		text = "{"
	case tRbrace:
		text = "}"
	case tLparen:
		text = "("
	case tRparen:
		text = ")"
	case tSemi:
		text = ";"
	case tComma:
		text = ","
	}
	p.fail("syntax error at or near %s", text)
}

func (p *awkParser) isOp(s string) bool { return p.tok.tok == tOp && p.tok.text == s }

func (p *awkParser) optNewlines() {
	for p.tok.tok == tNewline {
		p.advance()
	}
}

func (p *awkParser) skipTerms() {
	for p.tok.tok == tNewline || p.tok.tok == tSemi {
		p.advance()
	}
}

func (p *awkParser) function(prog *awkProgram) {
	p.advance()
	if p.tok.tok != tName && p.tok.tok != tFuncName {
		p.syntaxErr()
	}
	name := p.tok.text
	if _, dup := prog.funcs[name]; dup {
		p.fail("function %s redefined", name)
	}
	p.advance()
	p.expect(tLparen, "(")
	f := &awkFunc{name: name}
	p.locals = map[string]int{}
	for p.tok.tok != tRparen {
		if p.tok.tok != tName {
			p.syntaxErr()
		}
		p.locals[p.tok.text] = len(f.params)
		f.params = append(f.params, p.tok.text)
		p.advance()
		if p.tok.tok == tComma {
			p.advance()
			p.optNewlines()
		}
	}
	p.advance()
	p.optNewlines()
	p.inFunc = true
	prog.funcs[name] = f
	f.body = p.block()
	p.inFunc = false
	p.locals = nil
}

func (p *awkParser) block() sBlock {
	p.optNewlines()
	p.expect(tLbrace, "{")
	var stmts sBlock
	for {
		p.skipTerms()
		if p.tok.tok == tRbrace {
			p.advance()
			return stmts
		}
		if p.tok.tok == tEOF {
			p.syntaxErr()
		}
		stmts = append(stmts, p.stmt())
	}
}

// endSimple consumes the terminator of a simple statement.
func (p *awkParser) endSimple() {
	switch p.tok.tok {
	case tSemi, tNewline:
		p.advance()
	case tRbrace, tEOF:
	default:
		p.syntaxErr()
	}
}

// stmtBody parses the body of if/while/for: a statement possibly on the
// next line.
func (p *awkParser) stmtBody() awkStmt {
	p.optNewlines()
	if p.tok.tok == tSemi {
		p.advance()
		return sBlock(nil)
	}
	return p.stmt()
}

func (p *awkParser) stmt() awkStmt {
	switch p.tok.tok {
	case tLbrace:
		return p.block()
	case tIf:
		p.advance()
		p.expect(tLparen, "(")
		c := p.expr()
		p.expect(tRparen, ")")
		s := &sIf{c: c, then: p.stmtBody()}
		// else may follow after newlines / a semicolon
		save := p.tok
		_ = save
		for p.tok.tok == tNewline || p.tok.tok == tSemi {
			if pk := p.peekPastTerms(); pk != tElse {
				return s
			}
			p.advance()
		}
		if p.tok.tok == tElse {
			p.advance()
			s.els = p.stmtBody()
		}
		return s
	case tWhile:
		p.advance()
		p.expect(tLparen, "(")
		c := p.expr()
		p.expect(tRparen, ")")
		if p.tok.tok == tSemi {
			p.advance()
			return &sWhile{c: c, body: sBlock(nil)}
		}
		p.loops++
		body := p.stmtBody()
		p.loops--
		return &sWhile{c: c, body: body}
	case tDo:
		p.advance()
		p.loops++
		body := p.stmtBody()
		p.loops--
		p.skipTerms()
		if p.tok.tok != tWhile {
			p.syntaxErr()
		}
		p.advance()
		p.expect(tLparen, "(")
		c := p.expr()
		p.expect(tRparen, ")")
		p.endSimple()
		return &sDo{body: body, c: c}
	case tFor:
		p.advance()
		p.expect(tLparen, "(")
		// for (var in arr)
		if p.tok.tok == tName {
			if pk := p.peek(); pk.tok == tIn {
				v := p.varRef(p.tok.text)
				p.advance()
				p.advance()
				if p.tok.tok != tName {
					p.syntaxErr()
				}
				arr := p.varRef(p.tok.text)
				p.advance()
				p.expect(tRparen, ")")
				p.loops++
				body := p.stmtBody()
				p.loops--
				return &sForIn{v: v, arr: arr, body: body}
			}
		}
		f := &sFor{}
		if p.tok.tok != tSemi {
			f.init = p.simpleStmt()
		}
		p.expect(tSemi, ";")
		p.optNewlines()
		if p.tok.tok != tSemi {
			f.c = p.expr()
		}
		p.expect(tSemi, ";")
		p.optNewlines()
		if p.tok.tok != tRparen {
			f.post = p.simpleStmt()
		}
		p.expect(tRparen, ")")
		if p.tok.tok == tSemi {
			p.advance()
			f.body = sBlock(nil)
			return f
		}
		p.loops++
		f.body = p.stmtBody()
		p.loops--
		return f
	case tSemi:
		p.advance()
		return sBlock(nil)
	}
	s := p.simpleOrControl()
	p.endSimple()
	return s
}

func (p *awkParser) peekPastTerms() awkTok {
	// Look ahead over newlines and semicolons without consuming: scan the
	// source directly.
	lx := *p.lex
	t := p.peek()
	for t.tok == tNewline || t.tok == tSemi {
		var err error
		t, err = lx.next()
		if err != nil {
			return tEOF
		}
	}
	return t.tok
}

func (p *awkParser) simpleOrControl() awkStmt {
	switch p.tok.tok {
	case tNext:
		p.advance()
		return sNext{}
	case tNextfile:
		p.advance()
		return sNextfile{}
	case tBreak:
		p.advance()
		return sBreak{}
	case tContinue:
		p.advance()
		return sContinue{}
	case tExit:
		p.advance()
		if p.endOfSimple() {
			return &sExit{}
		}
		return &sExit{e: p.expr()}
	case tReturn:
		p.advance()
		if p.endOfSimple() {
			return &sReturn{}
		}
		return &sReturn{e: p.expr()}
	}
	return p.simpleStmt()
}

func (p *awkParser) endOfSimple() bool {
	switch p.tok.tok {
	case tSemi, tNewline, tRbrace, tEOF:
		return true
	}
	return false
}

func (p *awkParser) simpleStmt() awkStmt {
	switch p.tok.tok {
	case tPrint, tPrintf:
		return p.printStmt()
	case tDelete:
		p.advance()
		if p.tok.tok != tName {
			p.syntaxErr()
		}
		arr := p.varRef(p.tok.text)
		p.advance()
		d := &sDelete{arr: arr}
		if p.tok.tok == tLbracket {
			p.advance()
			d.idx = p.exprList(tRbracket)
			p.expect(tRbracket, "]")
		}
		return d
	}
	return &sExpr{e: p.expr()}
}

func (p *awkParser) printStmt() awkStmt {
	s := &sPrint{printf: p.tok.tok == tPrintf}
	p.advance()
	saveGT := p.noGT
	p.noGT = true
	if !p.endOfSimple() && !p.isOp(">") && !p.isOp(">>") && !p.isOp("|") {
		if p.tok.tok == tLparen {
			// print (a, b) or print (a)(b) or print (a) > "f"
			p.advance()
			p.noGT = false
			list := p.exprList(tRparen)
			p.expect(tRparen, ")")
			p.noGT = true
			if len(list) == 1 {
				e := p.continueExpr(&aGroup{list[0]})
				s.args = []awkExpr{e}
				for p.tok.tok == tComma {
					p.advance()
					p.optNewlines()
					s.args = append(s.args, p.expr())
				}
			} else if p.endOfSimple() || p.isOp(">") || p.isOp(">>") || p.isOp("|") {
				s.args = list
			} else if p.tok.tok == tIn {
				p.advance()
				arr := p.varRef(p.tok.text)
				p.advance()
				s.args = []awkExpr{&aIn{idx: list, arr: arr}}
			} else {
				p.syntaxErr()
			}
		} else {
			s.args = p.exprList(tEOF)
		}
	}
	p.noGT = saveGT
	if p.isOp(">") || p.isOp(">>") || p.isOp("|") {
		s.redir = p.tok.text
		p.advance()
		p.noGT = true
		s.dest = p.concat()
		p.noGT = saveGT
	}
	if s.printf && len(s.args) == 0 {
		p.syntaxErr()
	}
	return s
}

// continueExpr continues parsing a binary expression whose first operand
// (a parenthesised group) has been read.
func (p *awkParser) continueExpr(first awkExpr) awkExpr {
	p.pending = first
	return p.expr()
}

func (p *awkParser) exprList(end awkTok) []awkExpr {
	var list []awkExpr
	if p.tok.tok == end {
		return nil
	}
	list = append(list, p.expr())
	for p.tok.tok == tComma {
		p.advance()
		p.optNewlines()
		list = append(list, p.expr())
	}
	return list
}

func (p *awkParser) varRef(name string) *aVar {
	if p.locals != nil {
		if i, ok := p.locals[name]; ok {
			return &aVar{name: name, local: i}
		}
	}
	return &aVar{name: name, local: -1}
}

// Expressions, lowest precedence first.

func (p *awkParser) expr() awkExpr { return p.ternary() }

func isLvalue(e awkExpr) bool {
	switch e.(type) {
	case *aVar, *aField, *aIndex:
		return true
	}
	return false
}

func (p *awkParser) ternary() awkExpr {
	c := p.or()
	if p.isOp("?") {
		p.advance()
		p.optNewlines()
		a := p.ternary()
		p.optNewlines()
		if !p.isOp(":") {
			p.syntaxErr()
		}
		p.advance()
		p.optNewlines()
		b := p.ternary()
		return &aCond{c, a, b}
	}
	if p.tok.tok == tOp && isLvalue(c) {
		switch p.tok.text {
		case "=", "+=", "-=", "*=", "/=", "%=", "^=":
			op := p.tok.text
			p.advance()
			p.optNewlines()
			return &aAssign{lhs: c, op: op, rhs: p.ternary()}
		}
	}
	return c
}

func (p *awkParser) or() awkExpr {
	l := p.and()
	for p.isOp("||") {
		p.advance()
		p.optNewlines()
		l = &aBin{"||", l, p.and()}
	}
	return l
}

func (p *awkParser) and() awkExpr {
	l := p.in()
	for p.isOp("&&") {
		p.advance()
		p.optNewlines()
		l = &aBin{"&&", l, p.in()}
	}
	return l
}

func (p *awkParser) in() awkExpr {
	l := p.match()
	for p.tok.tok == tIn && !p.noIn {
		p.advance()
		if p.tok.tok != tName {
			p.syntaxErr()
		}
		arr := p.varRef(p.tok.text)
		p.advance()
		idx := []awkExpr{l}
		if g, ok := l.(*aGroupList); ok {
			idx = g.list
		}
		l = &aIn{idx: idx, arr: arr}
	}
	return l
}

func (p *awkParser) match() awkExpr {
	l := p.compare()
	for p.isOp("~") || p.isOp("!~") {
		neg := p.tok.text == "!~"
		p.advance()
		l = &aMatch{neg: neg, l: l, r: p.compare()}
	}
	return l
}

func (p *awkParser) compare() awkExpr {
	l := p.concat()
	if p.tok.tok == tOp {
		switch p.tok.text {
		case "<", "<=", "==", "!=", ">=":
		case ">":
			if p.noGT {
				return l
			}
		default:
			return l
		}
		op := p.tok.text
		p.advance()
		return &aBin{op, l, p.concat()}
	}
	return l
}

// startsOperand reports whether the current token can start a
// concatenated operand.
func (p *awkParser) startsOperand() bool {
	switch p.tok.tok {
	case tNumber, tString, tRegex, tName, tFuncName, tBuiltin, tLparen:
		return true
	case tOp:
		switch p.tok.text {
		case "$", "!", "-", "+", "++", "--":
			return p.tok.text != "!" || true
		}
	}
	return false
}

func (p *awkParser) concat() awkExpr {
	l := p.additive()
	for {
		if p.tok.tok == tIn || !p.startsOperand() {
			break
		}
		if p.tok.tok == tOp && (p.tok.text == "-" || p.tok.text == "+" || p.tok.text == "!") {
			// "a -b" is subtraction, handled by additive; "!" is not an operand start here.
			break
		}
		if p.tok.tok == tGetline {
			break
		}
		l = &aBin{"concat", l, p.additive()}
	}
	return l
}

func (p *awkParser) additive() awkExpr {
	l := p.mul()
	for p.isOp("+") || p.isOp("-") {
		op := p.tok.text
		p.advance()
		l = &aBin{op, l, p.mul()}
	}
	return l
}

func (p *awkParser) mul() awkExpr {
	l := p.unary()
	for p.isOp("*") || p.isOp("/") || p.isOp("%") {
		op := p.tok.text
		p.advance()
		l = &aBin{op, l, p.unary()}
	}
	return l
}

func (p *awkParser) unary() awkExpr {
	if p.pending == nil && p.tok.tok == tOp {
		switch p.tok.text {
		case "!":
			p.advance()
			return &aUnary{"!", p.unary()}
		case "-", "+":
			op := p.tok.text
			p.advance()
			return &aUnary{op, p.unary()}
		}
	}
	return p.pow()
}

func (p *awkParser) pow() awkExpr {
	l := p.postfix()
	if p.isOp("^") {
		p.advance()
		// right associative; the exponent may carry a unary minus
		var r awkExpr
		if p.isOp("-") || p.isOp("+") || p.isOp("!") {
			op := p.tok.text
			p.advance()
			r = &aUnary{op, p.pow()}
		} else {
			r = p.pow()
		}
		return &aBin{"^", l, r}
	}
	return l
}

func (p *awkParser) postfix() awkExpr {
	e := p.primary()
	if isLvalue(e) && (p.isOp("++") || p.isOp("--")) {
		op := p.tok.text
		p.advance()
		return &aIncDec{lhs: e, op: op}
	}
	// cmd | getline [var]
	for p.isOp("|") && p.peek().tok == tGetline {
		p.advance()
		p.advance()
		g := &aGetline{kind: "|", src: e}
		if p.startsLvalue() {
			g.lhs = p.lvalue()
		}
		e = g
	}
	return e
}

func (p *awkParser) startsLvalue() bool {
	return p.tok.tok == tName || p.isOp("$")
}

func (p *awkParser) lvalue() awkExpr {
	if p.isOp("$") {
		p.advance()
		return &aField{idx: p.fieldIndex()}
	}
	name := p.tok.text
	p.advance()
	if p.tok.tok == tLbracket {
		p.advance()
		idx := p.exprList(tRbracket)
		p.expect(tRbracket, "]")
		return &aIndex{arr: p.varRef(name), idx: idx}
	}
	return p.varRef(name)
}

// fieldIndex parses the operand of '$': a primary with ++/-- allowed.
func (p *awkParser) fieldIndex() awkExpr {
	if p.isOp("-") || p.isOp("!") || p.isOp("+") {
		op := p.tok.text
		p.advance()
		return &aUnary{op, p.fieldIndex()}
	}
	if p.isOp("++") || p.isOp("--") {
		op := p.tok.text
		p.advance()
		return &aIncDec{lhs: p.lvalue(), pre: true, op: op}
	}
	return p.primary()
}

// aGroupList is a parenthesised list "(a, b)" before 'in'.
type aGroupList struct{ list []awkExpr }

func (p *awkParser) primary() awkExpr {
	if p.pending != nil {
		e := p.pending
		p.pending = nil
		return e
	}
	t := p.tok
	switch t.tok {
	case tNumber:
		p.advance()
		return &aNum{t.num}
	case tString:
		p.advance()
		return &aStr{t.text}
	case tRegex:
		p.advance()
		return &aRegex{t.text}
	case tLparen:
		p.advance()
		saveGT, saveIn := p.noGT, p.noIn
		p.noGT, p.noIn = false, false
		list := p.exprList(tRparen)
		p.noGT, p.noIn = saveGT, saveIn
		p.expect(tRparen, ")")
		if len(list) > 1 {
			if p.tok.tok != tIn {
				p.syntaxErr()
			}
			return &aGroupList{list}
		}
		if len(list) == 0 {
			p.syntaxErr()
		}
		return &aGroup{list[0]}
	case tOp:
		switch t.text {
		case "$":
			p.advance()
			return &aField{idx: p.fieldIndex()}
		case "++", "--":
			p.advance()
			if !p.startsLvalue() {
				p.syntaxErr()
			}
			return &aIncDec{lhs: p.lvalue(), pre: true, op: t.text}
		case "-", "+", "!":
			p.advance()
			return &aUnary{t.text, p.unary()}
		}
	case tName:
		return p.lvalue()
	case tFuncName:
		p.advance()
		p.expect(tLparen, "(")
		args := p.exprList(tRparen)
		p.expect(tRparen, ")")
		c := aCall{name: t.text, args: args}
		p.calls = append(p.calls, c)
		return &c
	case tBuiltin:
		p.advance()
		if p.tok.tok != tLparen {
			if t.text == "length" {
				return &aBuiltin{name: "length"}
			}
			p.syntaxErr()
		}
		p.advance()
		args := p.exprList(tRparen)
		p.expect(tRparen, ")")
		return &aBuiltin{name: t.text, args: args}
	case tGetline:
		p.advance()
		g := &aGetline{}
		if p.startsLvalue() {
			g.lhs = p.lvalue()
		}
		if p.isOp("<") {
			p.advance()
			g.kind = "<"
			g.src = p.primaryNoConcat()
		}
		return g
	}
	p.syntaxErr()
	return nil
}

// primaryNoConcat parses the file operand of "getline < file".
func (p *awkParser) primaryNoConcat() awkExpr {
	if p.isOp("$") {
		p.advance()
		return &aField{idx: p.fieldIndex()}
	}
	return p.primary()
}
