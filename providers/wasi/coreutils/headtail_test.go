package coreutils

import (
	"fmt"
	"strings"
	"testing"
)

func TestHeadTailWcDiff(t *testing.T) {
	var long string
	for i := 1; i <= 30; i++ {
		long += "line " + string(rune('a'+i%26)) + "\n"
	}
	fx := fixture{"a": "one\ntwo\nthree\n", "b": long, "c": "x\ny\nno newline", "e": "", "d/": "",
		"u": "héllo wörld\tx\n  two  words \n"}
	var cases []diffCase
	for _, args := range [][]string{
		{"head", "b"}, {"head", "-n", "3", "b"}, {"head", "-n3", "a", "b"}, {"head", "-5", "b"},
		{"head", "-c", "5", "a"}, {"head", "-c-3", "a"}, {"head", "-n", "-2", "a"}, {"head", "-n", "-1", "c"},
		{"head", "-n", "-0", "c"}, {"head", "-q", "a", "c"}, {"head", "-v", "a"}, {"head", "nosuch", "a"},
		{"head", "a", "d"}, {"head", "-n", "x", "a"}, {"head", "-c", "1K", "b"}, {"head", "-n", "2", "-"},
		{"tail", "b"}, {"tail", "-n", "3", "b"}, {"tail", "-n", "+3", "a"}, {"tail", "-c", "4", "c"},
		{"tail", "-c", "+4", "a"}, {"tail", "-n", "1", "c"}, {"tail", "-n", "2", "c"}, {"tail", "a", "c"},
		{"tail", "-n", "0", "a"}, {"tail", "nosuch"}, {"tail", "-1", "a"}, {"tail", "+2", "a"},
		{"tail", "-n", "100", "a"}, {"tail", "e"}, {"tail", "-n", "+100", "a"},
		{"wc", "a"}, {"wc", "-l", "a"}, {"wc", "a", "b", "c"}, {"wc", "-l", "a", "b"}, {"wc", "-w", "u"},
		{"wc", "-c", "nosuch", "a"}, {"wc", "-lw", "a"}, {"wc", "-L", "u"}, {"wc", "d"},
		{"wc"}, {"wc", "-l"}, {"wc", "-", "a"}, {"wc", "e"}, {"wc", "-c", "c", "u"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: fx, stdin: "s1\ns2 s3\n", args: args})
	}
	runDiff(t, cases)
}

func joinArgs(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

func TestWcChars(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"u": "héllo wörld\tx\n"})
	r := runUtil(t, fsys, "/w", "", "wc", "-m", "u")
	if r.out != "14 u\n" {
		t.Fatalf("wc -m counts UTF-8 characters: got %q", r.out)
	}
}

func TestTailLargeFileSeeks(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	content := b.String()
	fsys := memTree(t, "/w", fixture{"big": content, "nonl": content + "tail"})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"tail", "-n", "2", "big"}, "line 19998\nline 19999\n"},
		{[]string{"tail", "-n", "1", "nonl"}, "tail"},
		{[]string{"tail", "-n", "2", "nonl"}, "line 19999\ntail"},
		{[]string{"tail", "-c", "5", "big"}, "9999\n"},
		{[]string{"tail", "-n", "20000", "big"}, content},
		{[]string{"tail", "-n", "5000", "big"}, content[strings.Index(content, "line 15000\n"):]},
	} {
		r := runUtil(t, fsys, "/w", "", tt.args...)
		if r.out != tt.want {
			t.Errorf("%v: got %d bytes %q..., want %d bytes", tt.args, len(r.out), r.out[:min(30, len(r.out))], len(tt.want))
		}
	}
}
