package coreutils

import "testing"

var grepFiles = map[string]string{
	"t.txt":         "hello world\nfoo bar\nHello again\nworld hello\nhelloworld\n",
	"ctx.txt":       "l1\nl2\nmatch\nl4\nl5\nl6\nl7\nmatch\nl9\n",
	"a.txt":         "hello a\n",
	"b.txt":         "nothing\n",
	"dir/x.ts":      "hello ts\n",
	"dir/y.js":      "hello js\n",
	"dir/sub/z.txt": "hello z\nbye\n",
	"pat.txt":       "foo\nagain\n",
	"re.txt":        "a.b\naxb\nx*y\nxy\n(a)\na+b\naab\n{1}\n",
	"empty.txt":     "",
	"noeol.txt":     "one\ntwo hello",
}

func TestGrepDifferential(t *testing.T) {
	var cases []textCase
	for _, a := range [][]string{
		{"hello", "t.txt"}, {"-i", "hello", "t.txt"}, {"-v", "hello", "t.txt"},
		{"-n", "hello", "t.txt"}, {"-c", "hello", "t.txt"}, {"-w", "hello", "t.txt"},
		{"-x", "foo bar", "t.txt"}, {"-o", "l*o", "t.txt"}, {"-l", "hello", "a.txt", "b.txt"},
		{"-L", "hello", "a.txt", "b.txt"}, {"-c", "hello", "a.txt", "b.txt"},
		{"-h", "hello", "a.txt", "t.txt"}, {"-H", "hello", "a.txt"},
		{"-q", "hello", "t.txt"}, {"-q", "zzz", "t.txt"}, {"zzz", "t.txt"},
		{"hello", "missing.txt"}, {"-s", "hello", "missing.txt", "a.txt"},
		{"-A", "1", "match", "ctx.txt"}, {"-B", "2", "match", "ctx.txt"},
		{"-C", "1", "match", "ctx.txt"}, {"-n", "-C", "1", "match", "ctx.txt"},
		{"-1", "match", "ctx.txt"}, {"-m", "1", "-A", "2", "match", "ctx.txt"},
		{"-r", "hello", "dir"}, {"-rn", "hello", "dir"}, {"-rl", "hello", "dir"},
		{"-r", "--include=*.ts", "hello", "dir"}, {"-r", "--exclude=*.ts", "hello", "dir"},
		{"-r", "--exclude-dir=sub", "hello", "dir"},
		{"-f", "pat.txt", "t.txt"}, {"-e", "foo", "-e", "again", "t.txt"},
		{"-E", "hel+o|bar", "t.txt"}, {"hel\\+o\\|bar", "t.txt"}, {"-F", "x*y", "re.txt"},
		{"x*y", "re.txt"}, {"-E", "a+b", "re.txt"}, {"a+b", "re.txt"}, {"(a)", "re.txt"},
		{"-E", "(a)", "re.txt"}, {"\\(a\\)", "re.txt"}, {"-E", "a{2}", "re.txt"},
		{"a\\{2\\}", "re.txt"}, {"{1}", "re.txt"},
		{"*y", "re.txt"}, {"^x", "re.txt"}, {"b$", "re.txt"}, {"a.b", "re.txt"},
		{"[[:upper:]]", "t.txt"}, {"[^a-z ]", "t.txt"}, {"-o", "[a-z]*", "t.txt"},
		{"-c", "", "t.txt"}, {"hello", "noeol.txt"}, {"-v", "x", "empty.txt"},
		{"-ow", "hello", "t.txt"}, {"-oi", "HELLO", "t.txt"}, {"-vc", "hello", "t.txt"},
		{"-E", "^(foo|world) ", "t.txt"}, {"-x", "-E", "hello|foo bar", "t.txt"},
		{"hello", "dir"}, {"-e", "-x", "t.txt"},
	} {
		cases = append(cases, textCase{args: append([]string{"grep"}, a...), files: grepFiles, sortLines: a[0][:2] == "-r"})
	}
	cases = append(cases,
		textCase{args: []string{"grep", "b"}, stdin: "a\nb\nc\n"},
		textCase{args: []string{"grep", "b", "-", "a.txt"}, stdin: "a\nb\nc\n", files: grepFiles},
		textCase{args: []string{"grep", "-L", "b", "-"}, stdin: "a\n"},
	)
	diffCases(t, cases)
}

func TestGrepErrors(t *testing.T) {
	checkCases(t, []textCase{
		{args: []string{"grep", "\\(a\\)\\1", "f"}, files: map[string]string{"f": "aa\n"}, wantCode: 2, wantErr: "back-references"},
		{args: []string{"grep", "--bogus", "x"}, wantCode: 2, wantErr: "unrecognized option"},
		{args: []string{"grep"}, wantCode: 2, wantErr: "Usage"},
		{args: []string{"egrep", "a|b"}, stdin: "b\n", wantOut: "b\n"},
		{args: []string{"fgrep", "a|b"}, stdin: "a|b\nb\n", wantOut: "a|b\n"},
	})
}

func TestGrepRegexDifferential(t *testing.T) {
	files := map[string]string{"f": "# comment\n  # indented\ncode # trailing\n\nfoo\nbar\nfoobar\n555-1234\n12-34\nab\nabab\naaa\nx.txt\npath/to/file\na+b\na?b\n(paren)\n{brace}\nback\\slash\n^caret\ndollar$\nword boundary\nwordy\n"}
	var cases []textCase
	for _, a := range [][]string{
		{"^[[:space:]]*#"}, {"-v", "^$"}, {"\\bword\\b"}, {"[0-9]\\{3\\}-[0-9]\\{4\\}"}, {"-E", "[0-9]{3}-[0-9]{4}"},
		{"a\\?b"}, {"\\(ab\\)*"}, {"-x", "\\(ab\\)*"}, {"-E", "^(foo|bar)$"}, {"-E", "[[:digit:]]+"}, {"-E", "a{2,}"},
		{"\\.txt$"}, {"[^/]*$"}, {"-o", "[^/]*$"}, {"a+b"}, {"-E", "a\\+b"}, {"-F", "a?b"}, {"("}, {"-E", "\\("},
		{"{brace}"}, {"-E", "\\{brace\\}"}, {"back\\\\slash"}, {"^^"}, {"\\^caret"}, {"dollar\\$"}, {"r$"},
		{"-E", "^a|b$"}, {"-o", "-E", "[a-z]+"}, {"-c", "."}, {"-w", "word"}, {"-ow", "[a-z]*"},
		{"-e", "foo", "-e", "^ab"}, {"-E", "^[^#]"}, {"x*"}, {"-E", "a**"}, {"[[:punct:]]"}, {"[]]"}, {"[a-]"},
	} {
		cases = append(cases, textCase{args: append(append([]string{"grep"}, a...), "f"), files: files})
	}
	diffCases(t, cases)
}
