package coreutils

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
)

var trSpec = optSpec{
	noArg: "dscCt",
	long: map[string]string{
		"delete": "d", "squeeze-repeats": "s", "complement": "c", "truncate-set1": "t",
	},
}

var trClasses = map[string]func(c byte) bool{
	"alpha": func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' },
	"digit": func(c byte) bool { return c >= '0' && c <= '9' },
	"alnum": func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' },
	"upper": func(c byte) bool { return c >= 'A' && c <= 'Z' },
	"lower": func(c byte) bool { return c >= 'a' && c <= 'z' },
	"space": func(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' },
	"blank": func(c byte) bool { return c == ' ' || c == '\t' },
	"punct": func(c byte) bool {
		return c > ' ' && c < 0x7f && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	},
	"print":  func(c byte) bool { return c >= ' ' && c < 0x7f },
	"graph":  func(c byte) bool { return c > ' ' && c < 0x7f },
	"cntrl":  func(c byte) bool { return c < ' ' || c == 0x7f },
	"xdigit": func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' },
}

// trExpand expands a tr set into bytes and returns the index of a [c*]
// fill (-1 if none).
func trExpand(s string) ([]byte, int, error) {
	var out []byte
	fill := -1
	// Decode escapes first into a list of (byte, literal) tokens.
	type tok struct {
		c   byte
		esc bool
	}
	var toks []tok
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			d := s[i]
			switch d {
			case 'n':
				d = '\n'
			case 't':
				d = '\t'
			case 'r':
				d = '\r'
			case 'a':
				d = '\a'
			case 'b':
				d = '\b'
			case 'f':
				d = '\f'
			case 'v':
				d = '\v'
			case '0', '1', '2', '3', '4', '5', '6', '7':
				n := 0
				k := 0
				for k < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7' {
					n = n*8 + int(s[i]-'0')
					i++
					k++
				}
				i--
				d = byte(n)
			}
			toks = append(toks, tok{d, true})
			continue
		}
		toks = append(toks, tok{c, false})
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !t.esc && t.c == '[' && i+1 < len(toks) && !toks[i+1].esc {
			// [:class:], [=c=], [c*n]
			rest := make([]byte, 0, len(toks)-i)
			for _, x := range toks[i:] {
				rest = append(rest, x.c)
			}
			r := string(rest)
			if strings.HasPrefix(r, "[:") {
				if end := strings.Index(r[2:], ":]"); end >= 0 {
					name := r[2 : 2+end]
					f, ok := trClasses[name]
					if !ok {
						return nil, -1, errors.New("invalid character class '" + name + "'")
					}
					for c := 0; c < 256; c++ {
						if f(byte(c)) {
							out = append(out, byte(c))
						}
					}
					i += 2 + end + 1
					continue
				}
			}
			if strings.HasPrefix(r, "[=") && len(r) >= 5 && r[3:5] == "=]" {
				out = append(out, r[2])
				i += 4
				continue
			}
			if len(r) >= 4 && r[2] == '*' {
				if end := strings.IndexByte(r, ']'); end > 2 {
					n := 0
					for _, d := range r[3:end] {
						if d < '0' || d > '9' {
							n = -1
							break
						}
						n = n*10 + int(d-'0')
					}
					if n >= 0 {
						if n == 0 {
							fill = len(out)
							out = append(out, r[1])
						} else {
							for k := 0; k < n; k++ {
								out = append(out, r[1])
							}
						}
						i += end
						continue
					}
				}
			}
		}
		if i+2 < len(toks) && toks[i+1].c == '-' && !toks[i+1].esc {
			lo, hi := t.c, toks[i+2].c
			if hi < lo {
				return nil, -1, errors.New("range-endpoints of '" + string(lo) + "-" + string(hi) + "' are in reverse collating sequence order")
			}
			for c := int(lo); c <= int(hi); c++ {
				out = append(out, byte(c))
			}
			i += 2
			continue
		}
		out = append(out, t.c)
	}
	return out, fill, nil
}

// tr translates, squeezes or deletes bytes.
func tr(ctx context.Context, env *Env, args []string) int {
	opts, ops, err := parseOpts(args[1:], trSpec)
	if err != nil {
		return usageErr(env, "tr", err, 1)
	}
	del, squeeze, comp, trunc := false, false, false, false
	for _, o := range opts {
		switch o.name {
		case "d":
			del = true
		case "s":
			squeeze = true
		case "c", "C":
			comp = true
		case "t":
			trunc = true
		}
	}
	need := 2
	if del && !squeeze || squeeze && len(ops) < 2 && !del {
		need = 1
	}
	if len(ops) < need {
		if len(ops) == 0 {
			return usageErr(env, "tr", errors.New("missing operand"), 1)
		}
		return usageErr(env, "tr", errors.New("missing operand after '"+ops[0]+"'"), 1)
	}
	if len(ops) > need && !(del && squeeze) {
		return usageErr(env, "tr", errors.New("extra operand '"+ops[need]+"'"), 1)
	}
	set1, _, err := trExpand(ops[0])
	if err != nil {
		env.Errorf("tr", "%s", err)
		return 1
	}
	var in1 [256]bool
	for _, c := range set1 {
		in1[c] = true
	}
	if comp {
		var cs []byte
		for c := 0; c < 256; c++ {
			if !in1[c] {
				cs = append(cs, byte(c))
			}
		}
		set1 = cs
		in1 = [256]bool{}
		for _, c := range set1 {
			in1[c] = true
		}
	}
	var set2 []byte
	if len(ops) > 1 {
		var fill int
		set2, fill, err = trExpand(ops[1])
		if err != nil {
			env.Errorf("tr", "%s", err)
			return 1
		}
		if fill >= 0 {
			n := len(set1) - (len(set2) - 1)
			if n < 0 {
				n = 0
			}
			rep := make([]byte, 0, len(set1))
			rep = append(rep, set2[:fill]...)
			for k := 0; k < n; k++ {
				rep = append(rep, set2[fill])
			}
			set2 = append(rep, set2[fill+1:]...)
		}
	}
	var xlat [256]byte
	for c := 0; c < 256; c++ {
		xlat[c] = byte(c)
	}
	translate := !del && len(set2) > 0
	if translate {
		// Case-class pairing: [:lower:] -> [:upper:] and the reverse work
		// because both expand to 26 bytes in order.
		if trunc && len(set1) > len(set2) {
			set1 = set1[:len(set2)]
		}
		for i, c := range set1 {
			j := i
			if j >= len(set2) {
				j = len(set2) - 1
			}
			xlat[c] = set2[j]
		}
	}
	var sq [256]bool
	if squeeze {
		src := set1
		if len(set2) > 0 && (translate || del) {
			src = set2
		}
		for _, c := range src {
			sq[c] = true
		}
	}
	br := bufio.NewReaderSize(ctxReader{ctx, env.Stdin}, textBufSize)
	out := bufio.NewWriterSize(env.Stdout, textBufSize)
	defer out.Flush()
	last := -1
	buf := make([]byte, textBufSize)
	for {
		if outFailed(out) {
			return 1
		}
		n, err := br.Read(buf)
		for _, c := range buf[:n] {
			if del && in1[c] {
				continue
			}
			if translate {
				c = xlat[c]
			}
			if squeeze && sq[c] && last == int(c) {
				continue
			}
			last = int(c)
			out.WriteByte(c)
		}
		if err != nil {
			if err != io.EOF {
				return 1
			}
			return 0
		}
	}
}
