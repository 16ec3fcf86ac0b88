package coreutils

import "testing"

func TestExprDiff(t *testing.T) {
	var cases []diffCase
	for _, args := range [][]string{
		{"expr", "1", "+", "2"}, {"expr", "5", "*", "3"}, {"expr", "7", "/", "2"}, {"expr", "7", "%", "3"}, {"expr", "2", "<", "10"},
		{"expr", "a", "<", "b"}, {"expr", "length", "hello"}, {"expr", "substr", "hello", "2", "3"}, {"expr", "index", "hello", "l"},
		{"expr", "match", "hello", "h\\(el\\)"}, {"expr", "hello", ":", "h.*"}, {"expr", "0"}, {"expr", "1", "/", "0"},
		{"expr", "a", "+", "1"}, {"expr", "", "|", "5"}, {"expr", "3", "&", "0"}, {"expr", "3", "=", "3"}, {"expr", "-5", "+", "2"},
		{"expr", "10", "-", "20", "*", "2"}, {"expr", "(", "1", "+", "2", ")", "*", "3"}, {"expr", "abc", ":", "x"},
		{"expr", "abc", ":", "\\(x\\)"}, {"expr", "1", "+"}, {"expr"}, {"expr", "(", "1"}, {"expr", "99999999999999999999", "+", "1"},
		{"expr", "+", "length"}, {"expr", "substr", "hello", "0", "2"}, {"expr", "a.b", ":", "a\\.b"}, {"expr", "x+y", ":", "x+"},
		{"expr", "1", "2"}, {"expr", "10", ">", "9"}, {"expr", "10", ">", "9a"}, {"expr", "ab", "!=", "ab"},
	} {
		cases = append(cases, diffCase{name: joinArgs(args), fx: fixture{}, args: args})
	}
	runDiff(t, cases)
}
