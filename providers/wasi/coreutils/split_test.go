package coreutils

import "testing"

func TestSplitStringsDiff(t *testing.T) {
	fx := fixture{"t": "1\n2\n3\n4\n5\n", "b": "abcdefghij", "bin": "ab\x00cde\x00fghi\x00\x01\x02hello world\n"}
	var cases []diffCase
	for _, args := range [][]string{
		{"split", "-l", "2", "t"}, {"split", "-b", "4", "b"}, {"split", "t", "part-"}, {"split", "-d", "-l", "1", "t", "p"},
		{"split", "-a", "3", "-b", "3", "b"}, {"split", "-n", "3", "b"}, {"split", "nosuch"}, {"split", "-l", "0", "t"},
		{"split", "-b", "2K", "b"}, {"split", "--additional-suffix=.txt", "-l", "3", "t"}, {"split", "-l", "2"},
		{"strings", "bin"}, {"strings", "-n", "3", "bin"}, {"strings", "-3", "bin"}, {"strings", "nosuch"}, {"strings"},
		{"strings", "-t", "x", "bin"}, {"strings", "-n", "0", "bin"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: fx, args: args, stdin: "a\nb\nc\n", tree: true})
	}
	runDiff(t, cases)
}
