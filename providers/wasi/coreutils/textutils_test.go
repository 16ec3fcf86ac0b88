package coreutils

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

var sortFiles = map[string]string{
	"w.txt":  "banana\napple\nCherry\napple\n  date\n10\n9\n-3\n1.5\n\n",
	"k.txt":  "b:3:x\na:10:y\nc:2:z\nb:1:w\n",
	"h.txt":  "2M\n500\n1K\n100K\n1G\n-1K\n",
	"v.txt":  "file1.10\nfile1.2\nfile1.1\n1.0.10\n1.0.2\nfile~\n",
	"sp.txt": "x 3 b\ny 1 a\nz 2 c\nw 1 b\n",
	"s1.txt": "a\nb\nd\n",
	"s2.txt": "b\nc\nd\ne\n",
}

func TestSortDifferential(t *testing.T) {
	var cases []textCase
	for _, a := range [][]string{
		{"w.txt"}, {"-r", "w.txt"}, {"-n", "w.txt"}, {"-nr", "w.txt"}, {"-u", "w.txt"},
		{"-f", "w.txt"}, {"-b", "w.txt"}, {"-fu", "w.txt"}, {"-t:", "-k2", "-n", "k.txt"},
		{"-t:", "-k2,2", "k.txt"}, {"-t:", "-k1,1", "-k2,2nr", "k.txt"}, {"-h", "h.txt"},
		{"-hr", "h.txt"}, {"-V", "v.txt"}, {"-k2", "sp.txt"}, {"-k2,2", "-s", "sp.txt"},
		{"-k3", "-k1", "sp.txt"}, {"-k2n", "sp.txt"}, {"-k2,2", "-u", "sp.txt"},
		{"-c", "w.txt"}, {"-c", "s1.txt"}, {"s1.txt", "s2.txt"}, {"-k1.2", "sp.txt"},
		{"-nu", "w.txt"}, {"missing"}, {"-d", "w.txt"}, {"-g", "w.txt"},
	} {
		cases = append(cases, textCase{args: append([]string{"sort"}, a...), files: sortFiles})
	}
	cases = append(cases, textCase{args: []string{"sort"}, stdin: "c\na\nb"})
	diffCases(t, cases)
	checkCases(t, []textCase{{args: []string{"sort", "-o", "out.txt", "s2.txt", "s1.txt"}, files: sortFiles}})
	rdir := t.TempDir()
	out, _, code := runText(t, rdir, "b\na\nb\nc\na\n", "sort", "-R")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 5 || sortedLines(out) != "a\na\nb\nb\nc\n" {
		t.Errorf("sort -R: %q %d", out, code)
	}
	for i := 1; i < len(lines)-1; i++ {
		if lines[i-1] == lines[i+1] && lines[i] != lines[i-1] {
			t.Errorf("sort -R separated equal lines: %q", out)
		}
	}
	dir := t.TempDir()
	writeFiles(t, dir, sortFiles)
	runText(t, dir, "", "sort", "-o", "s2.txt", "s2.txt", "s1.txt")
	if out, _, _ := runText(t, dir, "", "cat", "s2.txt"); out != "a\nb\nb\nc\nd\nd\ne\n" && out != "" {
		t.Errorf("sort -o onto an input: %q", out)
	}
}

var lineFiles = map[string]string{
	"u.txt":  "a\na\nb\nA\na\nc\nc\nc\n",
	"uf.txt": "1 x a\n2 x a\n3 y b\n",
	"c.txt":  "a:b:c:d\ne:f\nnodelim\nαβγδ\n",
	"p1":     "a\nb\nc\n",
	"p2":     "1\n2\n",
	"s1.txt": "a\nb\nd\n",
	"s2.txt": "b\nc\nd\ne\n",
	"tab":    "a\tb\tc\n\tx\n",
	"lines":  "one\n\ntwo\nthree\n",
	"j1":     "1 apple\n2 banana\n3 cherry\n",
	"j2":     "1 red\n3 green\n4 blue\n",
}

func TestLineUtilsDifferential(t *testing.T) {
	var cases []textCase
	for _, a := range [][]string{
		{"uniq", "u.txt"}, {"uniq", "-c", "u.txt"}, {"uniq", "-d", "u.txt"}, {"uniq", "-u", "u.txt"},
		{"uniq", "-i", "u.txt"}, {"uniq", "-ci", "u.txt"}, {"uniq", "-f", "1", "uf.txt"},
		{"uniq", "-s", "2", "uf.txt"}, {"uniq", "-D", "u.txt"}, {"uniq", "-w", "1", "uf.txt"},
		{"cut", "-d:", "-f2", "c.txt"}, {"cut", "-d:", "-f1,3-", "c.txt"}, {"cut", "-d:", "-s", "-f2", "c.txt"},
		{"cut", "-c1-3", "c.txt"}, {"cut", "-b2", "c.txt"}, {"cut", "-d:", "--complement", "-f2", "c.txt"},
		{"cut", "-f2", "tab"}, {"cut", "-c", "-2,4-", "c.txt"}, {"cut", "-d:", "-f2", "--output-delimiter=|", "c.txt"},
		{"cut", "-f0", "c.txt"}, {"cut", "c.txt"},
		{"paste", "p1", "p2"}, {"paste", "-d,", "p1", "p2"}, {"paste", "-s", "p1", "p2"}, {"paste", "-sd:", "p1"},
		{"paste", "-d", "\\n", "p1", "p2"},
		{"comm", "s1.txt", "s2.txt"}, {"comm", "-12", "s1.txt", "s2.txt"}, {"comm", "-3", "s1.txt", "s2.txt"},
		{"comm", "-23", "s1.txt", "s2.txt"},
		{"nl", "p1"}, {"nl", "-ba", "lines"}, {"nl", "-w3", "-s:", "p1"}, {"nl", "-nln", "p1"},
		{"nl", "-nrz", "-v5", "-i2", "p1"},
		{"rev", "p1", "uf.txt"}, {"tac", "lines"}, {"fold", "-w3", "c.txt"}, {"fold", "-sw", "5", "lines"},
		{"expand", "tab"}, {"expand", "-t4", "tab"}, {"unexpand", "-a", "tab"},
		{"join", "j1", "j2"}, {"join", "-a1", "j1", "j2"}, {"join", "-a2", "j1", "j2"}, {"join", "-v1", "j1", "j2"},
		{"join", "-o", "1.2,2.2", "j1", "j2"}, {"join", "-a1", "-e", "X", "-o", "0,2.2", "j1", "j2"},
	} {
		cases = append(cases, textCase{args: a, files: lineFiles})
	}
	for _, tc := range []struct {
		args  []string
		stdin string
	}{
		{[]string{"tr", "a-z", "A-Z"}, "hello World\n"},
		{[]string{"tr", "-d", "lo"}, "hello world\n"},
		{[]string{"tr", "-s", " "}, "a   b  c\n"},
		{[]string{"tr", "-s", "a-z", "A-Z"}, "aabbcc dd\n"},
		{[]string{"tr", "-cd", "[:alnum:]\\n"}, "a-b_c 1!\n"},
		{[]string{"tr", "[:lower:]", "[:upper:]"}, "abc\n"},
		{[]string{"tr", "[:upper:]", "[:lower:]"}, "ABC def\n"},
		{[]string{"tr", "-c", "a", "x"}, "abcabc\n"},
		{[]string{"tr", "abc", "x"}, "aabbcc\n"},
		{[]string{"tr", "\\n", " "}, "a\nb\n"},
		{[]string{"tr", "a-c", "[x*]"}, "abcd\n"},
		{[]string{"tr", "-ds", "a", "b"}, "aabbcc\n"},
		{[]string{"tr", "[:space:]", "_"}, "a b\tc\n"},
		{[]string{"tr", "-d", "[=a=]"}, "banana\n"},
		{[]string{"tr", "z-a", "x"}, "q\n"},
	} {
		cases = append(cases, textCase{args: tc.args, stdin: tc.stdin})
	}
	diffCases(t, cases)
}

// TestRecordedBehaviour pins outputs where the recorded corpus (and this
// package) differ from the GNU tools installed here.
func TestRecordedBehaviour(t *testing.T) {
	checkCases(t, []textCase{
		{args: []string{"nl"}, stdin: "a\n\nb\n", wantOut: "     1\ta\n      \t\n     2\tb\n"},
		{args: []string{"rev"}, stdin: "αβγ\n", wantOut: "γβα\n"},
		{args: []string{"column", "-t"}, stdin: "name age\nalice 30\nbob 25\n", wantOut: "name   age\nalice  30\nbob    25\n"},
		{args: []string{"column", "-t", "-s", ","}, stdin: "a,b,c\nd,e,f\n", wantOut: "a  b  c\nd  e  f\n"},
		{args: []string{"column", "-t"}, stdin: "a b c\nd e\nf\n", wantOut: "a  b  c\nd  e\nf\n"},
		{args: []string{"column"}, stdin: "", wantOut: ""},
		{args: []string{"column"}, stdin: "a\nb\nc\n", wantOut: "a\tb\tc\n"},
	})
}

// infiniteReader yields "y\n" forever.
type infiniteReader struct{}

var yesBlock = []byte(strings.Repeat("y\n", 32<<10))

func (infiniteReader) Read(p []byte) (int, error) {
	n := copy(p, yesBlock)
	return n, nil
}

// cappedWriter fails once it has taken n bytes, like a capped stdout.
type cappedWriter struct{ n int }

func (w *cappedWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errString("output limit reached")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestStopOnOutputFailure checks that utilities reading endless input stop
// once their output fails.
func TestStopOnOutputFailure(t *testing.T) {
	for _, args := range [][]string{
		{"grep", "y"}, {"sed", "s/y/n/"}, {"awk", "{print}"}, {"tr", "y", "n"}, {"cut", "-c1"},
		{"rev"}, {"nl"}, {"fold", "-w1"}, {"expand"},
	} {
		done := make(chan int, 1)
		var errb bytes.Buffer
		env := textEnv(t.TempDir(), "", nil, &errb)
		env.Stdin = infiniteReader{}
		env.Stdout = &cappedWriter{n: 1 << 16}
		cmd, _ := Default().Lookup(args[0])
		go func() { done <- cmd(context.Background(), env, args) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%v kept running after its output failed", args)
		}
	}
}

// TestEndlessInputBounded checks that utilities holding their input in
// memory give up on endless input instead of exhausting memory.
func TestEndlessInputBounded(t *testing.T) {
	for _, args := range [][]string{{"sort"}, {"tac"}} {
		var out, errb bytes.Buffer
		env := textEnv(t.TempDir(), "", &out, &errb)
		env.Stdin = infiniteReader{}
		cmd, _ := Default().Lookup(args[0])
		if code := cmd(context.Background(), env, args); code == 0 || !strings.Contains(errb.String(), "memory exhausted") {
			t.Errorf("%v on endless input: %d %q", args, code, errb.String())
		}
	}
}
