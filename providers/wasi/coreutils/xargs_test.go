package coreutils

import "testing"

func TestXargs(t *testing.T) {
	files := map[string]string{"f1": "one\n", "f2": "two\n"}
	checkCases(t, []textCase{
		{args: []string{"xargs"}, stdin: "a b\nc\n", wantOut: "a b c\n"},
		{args: []string{"xargs", "echo", "x"}, stdin: "a b\n", wantOut: "x a b\n"},
		{args: []string{"xargs", "-n", "1"}, stdin: "a b c\n", wantOut: "a\nb\nc\n"},
		{args: []string{"xargs", "-n2"}, stdin: "a b c\n", wantOut: "a b\nc\n"},
		{args: []string{"xargs", "-L", "1"}, stdin: "a b\nc\n", wantOut: "a b\nc\n"},
		{args: []string{"xargs", "-I", "{}", "echo", "<{}>"}, stdin: "a b\n  c\n", wantOut: "<a b>\n<c>\n"},
		{args: []string{"xargs", "-I{}", "echo", "{}-{}"}, stdin: "x\n", wantOut: "x-x\n"},
		{args: []string{"xargs", "-0"}, stdin: "a b\x00c\x00", wantOut: "a b c\n"},
		{args: []string{"xargs", "-d", ","}, stdin: "a,b", wantOut: "a b\n"},
		{args: []string{"xargs"}, stdin: `'a b' "c d" e\ f` + "\n", wantOut: "a b c d e f\n"},
		{args: []string{"xargs"}, stdin: "", wantOut: "\n"},
		{args: []string{"xargs", "-r"}, stdin: "", wantOut: ""},
		{args: []string{"xargs", "-r", "echo", "x"}, stdin: "  \n", wantOut: ""},
		{args: []string{"xargs", "cat"}, stdin: "f1 f2\n", files: files, wantOut: "one\ntwo\n"},
		{args: []string{"xargs", "grep", "-l", "two"}, stdin: "f1 f2\n", files: files, wantOut: "f2\n"},
		{args: []string{"xargs", "grep", "zzz"}, stdin: "f1\n", files: files, wantCode: 123},
		{args: []string{"xargs", "nosuchcmd"}, stdin: "a\n", wantCode: 127},
		{args: []string{"xargs"}, stdin: "'a\n", wantCode: 1, wantErr: "unmatched single quote"},
		{args: []string{"xargs", "-t", "echo"}, stdin: "a\n", wantOut: "a\n", wantErr: "echo a"},
		{args: []string{"xargs", "-n", "x"}, wantCode: 1, wantErr: "invalid number"},
	})
}
