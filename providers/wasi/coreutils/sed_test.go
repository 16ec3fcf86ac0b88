package coreutils

import (
	"os"
	"path/filepath"
	"testing"
)

var sedFiles = map[string]string{
	"t.txt":   "hello world\nfoo bar\nhello again\nline four\nlast line\n",
	"n.txt":   "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
	"noeol":   "a\nb",
	"p.txt":   "/usr/local/bin\npath/to/x\n",
	"s.sed":   "s/hello/bye/\n/foo/d\n",
	"c.txt":   "key=value\n# comment\nname = x\n",
	"two.txt": "x\ny\n",
}

func TestSedDifferential(t *testing.T) {
	var cases []textCase
	for _, a := range [][]string{
		{"s/hello/hi/", "t.txt"}, {"s/l/L/g", "t.txt"}, {"s/l/L/2", "t.txt"}, {"s/l/L/2g", "t.txt"},
		{"s/HELLO/hi/I", "t.txt"}, {"s/hello/[&]/", "t.txt"}, {`s/\(hel\)\(lo\)/\2\1/`, "t.txt"},
		{"-E", `s/(hel)(lo)/\2-\1/g`, "t.txt"}, {"-n", "s/hello/X/p", "t.txt"}, {"s|/|-|g", "p.txt"},
		{"s#path/to#new#", "p.txt"}, {`s/\//_/g`, "p.txt"}, {"2d", "t.txt"}, {"$d", "t.txt"}, {"2,4d", "t.txt"},
		{"/foo/d", "t.txt"}, {"/hello/!d", "t.txt"}, {"-n", "/foo/,/four/p", "t.txt"}, {"-n", "$p", "t.txt"},
		{"-n", "2p", "t.txt"}, {"-n", "1~3p", "n.txt"}, {"0~4d", "n.txt"}, {"-n", "2,+2p", "n.txt"},
		{"-n", "5,~4p", "n.txt"}, {"0,/1/d", "n.txt"}, {"1,/1/d", "n.txt"}, {"3q", "n.txt"}, {"3Q", "n.txt"},
		{"5q7", "n.txt"}, {"=", "two.txt"}, {"-n", "$=", "n.txt"}, {"a\\appended", "two.txt"},
		{"1i\\inserted", "two.txt"}, {"1a foo", "two.txt"}, {"$a end", "two.txt"}, {"2c\\changed", "t.txt"},
		{"2,3c\\changed", "t.txt"}, {"y/abc/xyz/", "t.txt"}, {"-n", "/hello/{s/hello/X/;p}", "t.txt"},
		{"/hello/{\ns/o/0/g\n}", "t.txt"}, {"N;s/\\n/ /", "t.txt"}, {"$!N;P;D", "n.txt"},
		{":a;N;$!ba;s/\\n/,/g", "n.txt"}, {"-n", "h;n;G;p", "n.txt"}, {"x;$!d", "n.txt"}, {"1!G;h;$!d", "n.txt"},
		{"-e", "s/hello/hi/", "-e", "s/world/there/", "t.txt"}, {"-f", "s.sed", "t.txt"}, {"p", "noeol"},
		{"s/b/B/", "noeol"}, {"$a x", "noeol"}, {"-n", "l", "c.txt"}, {"s/[[:space:]]*=[[:space:]]*/=/", "c.txt"},
		{"/^#/d;s/=.*//", "c.txt"}, {"s/x*/-/g", "two.txt"}, {"s/.*/\\U&/", "t.txt"}, {"s/\\w\\+/\\u&/g", "t.txt"},
		{"s/hello/a\\nb/", "t.txt"}, {"-s", "-n", "$p", "t.txt", "n.txt"}, {"-n", "$p", "t.txt", "n.txt"},
		{"n;d", "n.txt"}, {"-n", "n;p", "n.txt"}, {"s/a/b/;t;s/l/L/", "t.txt"}, {"s/o/0/;T;s/l/L/", "t.txt"},
		{"2{h;d};${G}", "n.txt"}, {"/2/,/4/{/3/d}", "n.txt"}, {"s/l\\{2\\}/LL/", "t.txt"},
		{"-E", "s/l{2}/LL/", "t.txt"}, {"s/l+/X/", "t.txt"}, {"s/l\\+/X/", "t.txt"}, {"-E", "s/(a|o)+/_/g", "t.txt"},
		{"s/^/> /", "two.txt"}, {"s/$/;/", "two.txt"}, {"s/./(&)/3", "two.txt"}, {"missing"}, {"p", "missing.txt", "two.txt"},
		{"k", "two.txt"}, {"s/a/b", "two.txt"}, {"3,1p", "n.txt"}, {"-n", "/1/,3p", "n.txt"}, {"w out.txt", "two.txt"},
		{"s/x/X/w out.txt", "two.txt"}, {"-n", "/x/{p;p}", "two.txt"}, {"y/xy/yx/;s/y/Y/", "two.txt"},
		{"$!s/$/,/", "two.txt"}, {"1~2s/^/odd /", "n.txt"}, {"-z", "s/\\n/,/g", "two.txt"}, {"G", "two.txt"},
		{"-n", "/x/=", "two.txt"}, {"s/.*/\"&\"/", "two.txt"}, {"s/[/]/|/g", "p.txt"}, {"s,/,:,2", "p.txt"},
	} {
		cases = append(cases, textCase{args: append([]string{"sed"}, a...), files: sedFiles})
	}
	cases = append(cases,
		textCase{args: []string{"sed", "s/o/0/g"}, stdin: "hello\nworld\n"},
		textCase{args: []string{"sed", "-n", "p"}, stdin: ""},
		textCase{args: []string{"sed", "$!d"}, stdin: "a\nb\nc"},
	)
	diffCases(t, cases)
}

func TestSedInPlace(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.txt": "one\ntwo\n", "b.txt": "three\n"})
	if _, errs, code := runText(t, dir, "", "sed", "-i", "1s/^/X/", "a.txt", "b.txt"); code != 0 {
		t.Fatalf("sed -i: %d %s", code, errs)
	}
	for name, want := range map[string]string{"a.txt": "Xone\ntwo\n", "b.txt": "Xthree\n"} {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, errs, code := runText(t, dir, "", "sed", "-i.bak", "s/two/2/", "a.txt"); code != 0 {
		t.Fatalf("sed -i.bak: %d %s", code, errs)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "a.txt"))
	bak, _ := os.ReadFile(filepath.Join(dir, "a.txt.bak"))
	if string(got) != "Xone\n2\n" || string(bak) != "Xone\ntwo\n" {
		t.Errorf("after -i.bak: %q, backup %q", got, bak)
	}
	if _, errs, code := runText(t, dir, "", "sed", "-ni", "$p", "a.txt"); code != 0 {
		t.Fatalf("sed -ni: %d %s", code, errs)
	}
	got, _ = os.ReadFile(filepath.Join(dir, "a.txt"))
	if string(got) != "2\n" {
		t.Errorf("after -ni: %q", got)
	}
}

func TestSedErrors(t *testing.T) {
	checkCases(t, []textCase{
		{args: []string{"sed", "s/a/b"}, wantCode: 1, wantErr: "unterminated `s' command"},
		{args: []string{"sed", "k"}, wantCode: 1, wantErr: "unknown command: `k'"},
		{args: []string{"sed", "b nowhere"}, wantCode: 1, wantErr: "can't find label"},
		{args: []string{"sed", `s/\(a\)\1/x/`}, wantCode: 1, wantErr: "back-references"},
		{args: []string{"sed", "p", "nope"}, wantCode: 2, wantErr: "can't read nope: No such file or directory"},
		{args: []string{"sed", "{p"}, wantCode: 1, wantErr: "unmatched `{'"},
		{args: []string{"sed", "-i", "p"}, wantCode: 1, wantErr: "no input files"},
	})
}

func TestSedBracketEscapes(t *testing.T) {
	diffCases(t, []textCase{
		{args: []string{"sed", `s/[\t]/X/g`}, stdin: "a\tb\\t\n"},
		{args: []string{"sed", `s/[\.]/X/g`}, stdin: "a.b\\c\n"},
		{args: []string{"sed", `N;s/[\n]/X/g`}, stdin: "anb\nc\n"},
	})
}

func TestSedIdioms(t *testing.T) {
	files := map[string]string{"f": "#!/bin/sh\n  indented\t \nfoo one\n\n   \nbar 12 34 56\nfoo two\nend\n"}
	var cases []textCase
	for _, a := range [][]string{
		{"/^\\s*$/d"}, {"s/^[ \\t]*//"}, {"s/[ \\t]*$//"}, {"1{/^#!/d}"}, {"0,/foo/s//FOO/"}, {"-n", "x;p"},
		{"$!{h;d};x;G"}, {"-E", "s/([0-9]+)/<\\1>/2"}, {"-n", "/foo/{n;p}"}, {"/foo/,+1d"}, {"-n", "/foo/="},
		{"s/o/0/3"}, {"-n", "2,4!p"}, {"/^$/N;/\\n$/D"}, {"-n", "$="}, {"s/\\(foo\\) \\(.*\\)/\\2 \\1/"},
		{"-E", "s/^(.)(.*)$/\\2\\1/"}, {"/foo/i\\\n--"}, {"/end/a\\\nafter\\\nmore"}, {"s/a\\|o/_/g"},
		{"-n", "/bar/{s/[0-9]\\+/N/gp}"}, {"y/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJKLMNOPQRSTUVWXYZ/"},
		{"-n", "l 20"}, {"2q"}, {"-n", "/foo/{p;q}"}, {"$s/$/\\n/"}, {"s/$/\\r/"},
	} {
		cases = append(cases, textCase{args: append(append([]string{"sed"}, a...), "f"), files: files})
	}
	diffCases(t, cases)
}

func TestSedMemoryBound(t *testing.T) {
	checkCases(t, []textCase{
		{args: []string{"sed", ":a;h;G;ba"}, stdin: "x\n", wantCode: 4, wantErr: "pattern space too large"},
	})
}
