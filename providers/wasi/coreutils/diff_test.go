package coreutils

import (
	"regexp"
	"testing"
)

var diffFiles = map[string]string{
	"a":      "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n",
	"b":      "one\n2\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\n",
	"c":      "zero\none\ntwo\nthree\n",
	"same":   "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n",
	"noeol":  "one\ntwo",
	"eol":    "one\ntwo\n",
	"empty":  "",
	"ws1":    "a  b\nC\n",
	"ws2":    "a b\nc\n",
	"d1/x":   "x\n",
	"d1/y":   "y\n",
	"d2/x":   "x2\n",
	"d2/z":   "z\n",
	"d1/s/f": "f\n",
	"d2/s/f": "g\n",
	"far1":   "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n",
	"far2":   "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\nY\n20\n",
}

var diffTimeRE = regexp.MustCompile(`(?m)^(---|\+\+\+) (\S+)\t.*$`)

func TestDiffDifferential(t *testing.T) {
	var cases []textCase
	for _, a := range [][]string{
		{"a", "b"}, {"a", "same"}, {"a", "c"}, {"c", "a"}, {"noeol", "eol"}, {"eol", "noeol"}, {"empty", "eol"},
		{"eol", "empty"}, {"-q", "a", "b"}, {"-q", "a", "same"}, {"-s", "a", "same"}, {"ws1", "ws2"}, {"-i", "-b", "ws1", "ws2"},
		{"-w", "-i", "ws1", "ws2"}, {"far1", "far2"}, {"a", "missing"}, {"d1", "d2"},
		{"-q", "d1", "d2"},
	} {
		cases = append(cases, textCase{args: append([]string{"diff"}, a...), files: diffFiles})
	}
	diffCases(t, cases)
}

func TestDiffUnified(t *testing.T) {
	// Unified headers carry modification times; compare without them.
	for _, a := range [][]string{
		{"-u", "a", "b"}, {"-u", "a", "c"}, {"-u", "noeol", "eol"}, {"-u", "far1", "far2"},
		{"-u", "empty", "eol"}, {"-U0", "a", "b"}, {"-U1", "far1", "far2"}, {"-ru", "d1", "d2"},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, diffFiles)
		args := append([]string{"diff"}, a...)
		want, wantCode, ok := runReal(t, dir, "", args...)
		if !ok {
			t.Skip("diff is not installed")
		}
		got, errs, code := runText(t, dir, "", args...)
		got = diffTimeRE.ReplaceAllString(got, "$1 $2")
		want = diffTimeRE.ReplaceAllString(want, "$1 $2")
		if got != want || code != wantCode {
			t.Errorf("%q:\n got (%q, %d)\nwant (%q, %d)\nstderr %q", args, got, code, want, wantCode, errs)
		}
	}
}
