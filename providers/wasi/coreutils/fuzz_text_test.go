package coreutils

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

// fuzzEnv is an in-memory session for fuzzing.
func fuzzEnv(stdin string) *Env {
	fsys := afero.NewMemMapFs()
	afero.WriteFile(fsys, "/in.txt", []byte("a b c\n1 2 3\nfoo bar\n"), 0o644)
	return &Env{
		FS: fsys, Dir: "/", Stdin: strings.NewReader(stdin),
		Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{},
		Getenv: func(string) string { return "" }, Environ: func() []string { return nil },
		Exec: func(context.Context, []string) int { return 127 },
	}
}

// FuzzAwkParse checks that the awk parser never panics and that programs
// without loops or functions run to completion without panicking.
func FuzzAwkParse(f *testing.F) {
	for _, s := range []string{
		`{print $1}`, `BEGIN{FS=":"} $2 > 3 {s+=$2} END{print s}`, `/a/,/b/`,
		`{a[$1]++} END{for(k in a) print k, a[k]}`, `{printf "%-5s %d\n", $1, $2}`,
		`function f(x){return x*2} {print f($1)}`, `{gsub(/o/,"0"); print}`,
		`NR==1{getline; print}`, `{$3=""; print NF}`, `BEGIN{x = 1 ? 2 : 3; print x^2}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		prog, err := parseAwk(src)
		if err != nil || prog == nil {
			return
		}
		if len(prog.funcs) > 0 || strings.Contains(src, "while") || strings.Contains(src, "for") || strings.Contains(src, "do") || len(src) > 200 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		awk(ctx, fuzzEnv("x y\n"), []string{"awk", src, "/in.txt"})
	})
}

// FuzzSedScript checks that the sed script parser never panics and that
// scripts without branches run without panicking.
func FuzzSedScript(f *testing.F) {
	for _, s := range []string{
		`s/a/b/g`, `2,3d`, `/foo/,$!p`, `1~2{s/^/> /;p}`, `$a\end`, `y/abc/xyz/`,
		`:a;N;$!ba;s/\n/,/g`, `s/\(a\)\(b\)/\2\1/`, `0,/x/d`, `n;N;P;D`, `1i hello`, `=`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		cmds, err := parseSed(script, false)
		if err != nil {
			return
		}
		for _, c := range cmds {
			if c.name == 'b' || c.name == 't' || c.name == 'T' || c.name == 'D' || c.name == 'w' || c.name == 'W' || c.wfile != "" {
				return
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		sed(ctx, fuzzEnv("one\ntwo\nthree\n"), []string{"sed", script})
	})
}

// FuzzTranslateRE checks that translated POSIX patterns compile or fail
// cleanly.
func FuzzTranslateRE(f *testing.F) {
	for _, s := range []string{`a\(b\)*c`, `[[:alpha:]]+`, `x\{2,3\}`, `^*a`, `a|b`, `[]a]`, `\<w\>`, `(a){1}`, `{`} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, pat string, ere bool) {
		tr, err := translateRE(pat, ere)
		if err != nil {
			return
		}
		regexp.Compile(tr)
	})
}

// FuzzTextSpecs checks the small parsers of the text utilities: cut lists,
// sort keys, tr sets, awk printf formats and jq argument JSON never panic.
func FuzzTextSpecs(f *testing.F) {
	for _, s := range []string{"1,3-5,7-", "2,2n", "1.2b,3.4r", "a-z[:upper:]\\n[x*3]", "%-5.2f|%c|%*d|%", "-1", "[=a=]", `{"a":[1,2]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseCutList(s)
		parseSortKey(s)
		trExpand(s)
		in := &awkInterp{globals: map[string]*awkCell{}}
		awkSprintf(in, s, []awkVal{awkNum(65), awkStr(s), awkStrNum("3.5")})
		parseOpts(strings.Fields(s), grepSpec)
		d := newJQKeyOrder()
		jqDecodeAll(strings.NewReader(s), d)
	})
}
