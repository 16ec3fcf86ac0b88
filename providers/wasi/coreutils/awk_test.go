package coreutils

import (
	"bytes"
	"context"
	"testing"
	"time"
)

var awkFiles = map[string]string{
	"d.txt": "alice 30 london\nbob 25 paris\ncarol 35 rome\ndave 25 paris\n",
	"csv":   "a,b,c\n1,2,3\nx,,z\n",
	"tsv":   "a\tb c\td\n",
	"n.txt": "10\n2.5\n-3\nabc\n1e3\n 7 \n",
	"p.awk": "{ s += $2 }\nEND { print \"sum\", s }\n",
	"para":  "a b\nc\n\n\nd e\nf\n",
	"e.txt": "",
	"w.txt": "the quick brown fox\njumps over the lazy dog\nthe end\n",
}

func TestAwkDifferential(t *testing.T) {
	var cases []textCase
	for _, a := range [][]string{
		{"{print $1}", "d.txt"}, {"{print $1, $3}", "d.txt"}, {"{print NR, NF, $NF}", "d.txt"},
		{"$2 > 26", "d.txt"}, {"$2 == 25 {print $1}", "d.txt"}, {"/paris/", "d.txt"}, {"!/paris/", "d.txt"},
		{"$3 ~ /^r/ {print}", "d.txt"}, {"$3 !~ /^p/", "d.txt"}, {"NR==2, NR==3", "d.txt"}, {"/bob/,/carol/ {print NR}", "d.txt"},
		{"{s += $2} END {print s, s/NR}", "d.txt"}, {"{c[$3]++} END {for (k in c) print k, c[k]}", "d.txt"},
		{"-F,", "{print $2}", "csv"}, {"-F", ",", "{print NF}", "csv"}, {"-F\t", "{print $2}", "tsv"}, {"-F\\t", "{print $2}", "tsv"},
		{"BEGIN{FS=\",\"} {print $3}", "csv"}, {"BEGIN{OFS=\"-\"} {$1=$1; print}", "d.txt"}, {"{$2=\"X\"; print}", "d.txt"},
		{"{NF=2; print}", "d.txt"}, {"{$5=\"e\"; print; print NF}", "d.txt"}, {"{print length($1), length}", "d.txt"},
		{"{print index($1, \"a\"), toupper($1), tolower(\"ABC\")}", "d.txt"},
		{"{n = split($0, a, \" \"); print n, a[1], a[n]}", "d.txt"}, {"{split($0, a, /a/); print a[2]}", "d.txt"},
		{"{sub(/a/, \"[&]\"); print}", "d.txt"}, {"{gsub(/a/, \"\\\\&\"); print}", "d.txt"}, {"{n=gsub(/[aeiou]/, \"_\", $1); print n, $0}", "d.txt"},
		{"{if (match($0, /[0-9]+/)) print RSTART, RLENGTH, substr($0, RSTART, RLENGTH)}", "d.txt"},
		{"{printf \"%-6s|%5d|%05.1f|%x|%o|%c|%e|%s\\n\", $1, $2, $2/3, $2, $2, 65, $2, $3}", "d.txt"},
		{"BEGIN{printf \"%s %d %i %5.2s|%c\\n\", \"abc\", \"12abc\", -3.9, \"hello\", \"xyz\"}"},
		{"BEGIN{x = \"3x\"; y = x + 1; print y, (x < 10), (\"10\" < \"9\"), (10 < 9)}"},
		{"{print ($1 < 5), ($1 > \"1\")}", "n.txt"}, {"$1 > 2", "n.txt"}, {"{s += $1} END {print s}", "n.txt"},
		{"BEGIN{CONVFMT=\"%.2g\"; x = 3.14159; y = x \"\"; print y; OFMT=\"%.3f\"; print x, 3.14159}"},
		{"BEGIN { while (i < 3) { i++; if (i == 2) continue; print i }; do { j++ } while (j < 5); print j }"},
		{"BEGIN { for (i = 0; i < 10; i++) { if (i == 4) break }; print i }"},
		{"BEGIN { a[1]; a[2]; delete a[1]; print (1 in a), (2 in a), length(a); delete a; print length(a) }"},
		{"BEGIN { a[1,2] = 3; for (k in a) { split(k, p, SUBSEP); print p[1], p[2] }; if ((1,2) in a) print \"yes\" }"},
		{"function f(x) { return x * 2 } BEGIN { print f(3), f(f(2)) }"},
		{"function fill(arr, n,   i) { for (i = 1; i <= n; i++) arr[i] = i*i } BEGIN { fill(sq, 4); print sq[3], length(sq) }"},
		{"function fact(n) { return n <= 1 ? 1 : n * fact(n-1) } BEGIN { print fact(10) }"},
		{"function g(s) { s = \"changed\" } BEGIN { v = \"orig\"; g(v); print v }"},
		{"NR == 2 { next } { print }", "d.txt"}, {"NR == 2 { exit } { print } END { print \"end\" }", "d.txt"},
		{"BEGIN { exit 3 } END { print \"e\" }"}, {"{ print > \"out.txt\" } END { close(\"out.txt\"); while ((getline l < \"out.txt\") > 0) print \"got\", l }", "csv"},
		{"NR == 1 { getline; print \"after getline:\", $0, NR } ", "d.txt"}, {"NR == 1 { getline x; print x, $0 }", "d.txt"},
		{"-v", "n=5", "BEGIN { print n + 1 }"}, {"-v", "s=a\\tb", "BEGIN { print s }"}, {"{ print v, $1 }", "v=1", "csv", "v=2", "d.txt"},
		{"BEGIN { RS = \"\" } { print NR \": \" $1 \"/\" $NF }", "para"}, {"BEGIN { RS = \",\" } { print }", "csv"},
		{"END { print NR, $0 }", "d.txt"}, {"{ print FILENAME, FNR }", "csv", "d.txt"}, {"BEGIN { print ARGC, ARGV[1] }", "d.txt"},
		{"BEGIN { print length(\"abc\") length(\"\") }"},
		{"BEGIN { x; print x == 0, x == \"\", length(x) }"}, {"BEGIN { print 1 == 1.0, \"a\" < \"b\", 2 < 10, \"2\" < \"10\" }"},
		{"{ print $1 * 2 }", "n.txt"}, {"{ print -$1, !$1 }", "n.txt"}, {"BEGIN { print !0, !1, !\"\", !\"a\" }"},
		{"BEGIN { i = 5; print i++ + ++i, i--, i }"}, {"BEGIN { x = 2; x += 3; x *= 2; x -= 1; x /= 3; x %= 2; x ^= 3; print x }"},
		{"BEGIN { print 2^3^2, -2^2, (1,2) in a }"}, {"BEGIN { s = \"A\" ; s = s s s; print s }"},
		{"BEGIN { printf \"%5s|%-5s|%.1s\\n\", \"ab\", \"ab\", \"ab\" }"}, {"BEGIN { printf \"%d%%\\n\", 50 }"},
		{"{ for (i = NF; i > 0; i--) printf \"%s%s\", $i, (i > 1 ? OFS : ORS) }", "w.txt"},
		{"{ words += NF; chars += length + 1 } END { print NR, words, chars }", "w.txt"},
		{"{ for (i = 1; i <= NF; i++) freq[$i]++ } END { for (w in freq) if (freq[w] > 1) print w, freq[w] }", "w.txt"},
		{"length > 10", "w.txt"}, {"NF", "para"}, {"END{print NR}", "e.txt"}, {"{print $1", "d.txt"}, {"BEGIN { getline; print \"got\", $0 }", "d.txt"},
		{"{ $0 = \"x y\"; print $2, NF }", "csv"}, {"BEGIN { print index(\"abc\", \"\"), int(-3.7), int(\"4.9x\") }"},
		{"BEGIN { print toupper(substr(\"hello\", 1, 1)) substr(\"hello\", 2) }"},
		{"BEGIN { \"x\" ~ \"x\" ; print (\"a.c\" ~ \"a\\\\.c\"), (\"abc\" ~ \"a.c\"), (\"abc\" ~ /^b/) }"},
		{"BEGIN { n = split(\"a:b:c\", arr, \":\"); for (i = n; i >= 1; i--) printf arr[i]; print \"\" }"},
		{"BEGIN { printf(\"%s-%s\\n\", \"a\", \"b\") }"}, {"BEGIN { print(1)(2) }"}, {"BEGIN { print (1, 2) }"},
		{"{ print; print \"---\" }", "missing.txt"}, {"BEGIN { if (!(3 in a)) print \"no\"; else print \"yes\" }"},
		{"BEGIN {\n  x = 1\n  if (x)\n    print \"one\"\n  else\n    print \"other\"\n}"},
		{"# comment\nBEGIN { print \"a\" } # trailing\n\nEND { print \"b\" }", "e.txt"},
		{"BEGIN { a = \"10\"; b = 9; print (a > b) }"}, {"{ print ($1 > $2) }", "csv"},
		{"BEGIN { printf \"%.3e %G %g %g\\n\", 12345.678, 0.0000123, 1e20, 123456789 }"},
	} {
		cases = append(cases, textCase{args: append([]string{"awk"}, a...), files: awkFiles})
	}
	cases = append(cases,
		textCase{args: []string{"awk", "{print $2}"}, stdin: "a b c\nd e f\n"},
		textCase{args: []string{"awk", "-F:", "{print $1}"}, stdin: "root:x:0\n"},
		textCase{args: []string{"awk", "-f", "p.awk", "d.txt"}, files: awkFiles},
	)
	diffCases(t, cases)
}

func TestAwkErrors(t *testing.T) {
	checkCases(t, []textCase{
		// Where mawk and gawk differ, this package follows POSIX and gawk.
		{args: []string{"awk", "{print substr($1, 2, 3), substr($1, 0), substr($1, -1, 3), substr($1, 3)}"}, stdin: "alice\n", wantOut: "lic alice a ice\n"},
		{args: []string{"awk", "BEGIN{print 100000 * 100000, 123456789012, 0.1 + 0.2, -7%3}"}, wantOut: "10000000000 123456789012 0.3 -1\n"},
		{args: []string{"awk", "BEGIN { print substr(\"hello\", 1.5, 2.3) }"}, wantOut: "el\n"},
		{args: []string{"awk", "BEGIN { system(\"ls\") }"}, wantCode: 0, wantErr: "system() is not available"},
		{args: []string{"awk", "{ print $1 | \"sort -r\" } END { print \"before\" }"}, stdin: "a\nc\nb\n", wantOut: "before\nc\nb\na\n"},
		{args: []string{"awk", "{ print | \"sort\" } END { close(\"sort\"); print \"after\" }"}, stdin: "b\na\n", wantOut: "a\nb\nafter\n"},
		{args: []string{"awk", "BEGIN { while ((\"echo x y\" | getline l) > 0) print \"got\", l; print NR }"}, wantOut: "got x y\n1\n"},
		{args: []string{"awk", "BEGIN { \"echo a b\" | getline; print $2 }"}, wantOut: "b\n"},
		{args: []string{"awk", "BEGIN { print 1/0 }"}, wantCode: 2, wantErr: "division by zero"},
		{args: []string{"awk", "BEGIN { f() }"}, wantCode: 2, wantErr: "never defined"},
		{args: []string{"awk", "{"}, wantCode: 2, wantErr: "syntax error"},
		{args: []string{"awk"}, wantCode: 2, wantErr: "usage"},
		{args: []string{"awk", "BEGIN { x = 1; x[1] = 1 }"}, wantCode: 2, wantErr: "scalar"},
	})
}

func TestAwkStopsOnCancel(t *testing.T) {
	var out, errb bytes.Buffer
	env := textEnv(t.TempDir(), "", &out, &errb)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- awk(ctx, env, []string{"awk", "BEGIN { while (1) x++ }"}) }()
	select {
	case code := <-done:
		if code == 0 {
			t.Errorf("cancelled awk exited 0")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("awk did not stop after its context was cancelled")
	}
}

func TestAwkRegexEscapes(t *testing.T) {
	checkCases(t, []textCase{
		{args: []string{"awk", `{gsub(/[\t]/, "X"); print}`}, stdin: "a\tb\\t\n", wantOut: "aXb\\t\n"},
		{args: []string{"awk", `{n = split($0, a, /[ \t]+/); print n, a[2]}`}, stdin: "x \t y\n", wantOut: "2 y\n"},
		{args: []string{"awk", `/[\/]/`}, stdin: "a/b\nc\n", wantOut: "a/b\n"},
		{args: []string{"awk", `{gsub(/[\]]/, "!"); print}`}, stdin: "a]b\n", wantOut: "a!b\n"},
	})
}

func TestAwkIdioms(t *testing.T) {
	files := map[string]string{
		"people.csv": "name,age,city\nalice,30,NYC\nbob,25,LA\ncarol,35,NYC\n",
		"log.txt":    "GET /a 200 123\nPOST /b 404 0\nGET /a 200 50\nGET /c 500 7\n",
	}
	var cases []textCase
	for _, a := range [][]string{
		{"-F,", "NR>1 {sum+=$2} END {print \"avg:\", sum/(NR-1)}", "people.csv"},
		{"$3 == 200 {bytes += $4} END {printf \"%d bytes\\n\", bytes}", "log.txt"},
		{"-F,", "NR==1 {for (i=1;i<=NF;i++) h[i]=$i; next} {for (i=1;i<=NF;i++) printf \"%s=%s \", h[i], $i; print \"\"}", "people.csv"},
		{"!seen[$1]++", "log.txt"}, {"NR%2==0", "log.txt"}, {"{ $1 = \"\"; print substr($0, 2) }", "log.txt"},
		{"-F,", "-v", "OFS=\\t", "{$1=$1} 1", "people.csv"}, {"BEGIN { printf \"%5.1f%%\\n\", 45.678 }"},
		{"{ lines[NR] = $0 } END { for (i = NR; i > 0; i--) print lines[i] }", "log.txt"},
		{"{ if ($3 >= 400) print \"ERR\", $0; else print \"OK\", $2 }", "log.txt"},
		{"{ a = a (a ? \",\" : \"\") $2 } END { print a }", "log.txt"}, {"-F,", "NR>1 && $2 > 26 { print $1 }", "people.csv"},
		{"{ n = split($2, parts, \"/\"); print n, parts[2] }", "log.txt"}, {"/GET/ && !/500/", "log.txt"},
		{"{ sub(/^\\//, \"\", $2); print $2 }", "log.txt"}, {"{ max = ($4 > max ? $4 : max) } END { print max }", "log.txt"},
		{"{ print toupper(substr($1,1,1)) tolower(substr($1,2)) }", "log.txt"}, {"NR==FNR { a[$1]; next } $1 in a", "log.txt", "log.txt"},
		{"BEGIN { while ((getline line < \"people.csv\") > 0) n++; print n }"}, {"{ print $NF, $(NF-1) }", "log.txt"},
		{"{ $2 = $2 \"!\"; print }", "log.txt"}, {"{ gsub(/[0-9]+/, \"#\"); print }", "log.txt"},
		{"{ print > ($1 \".out\") } END { close(\"GET.out\"); while ((getline l < \"GET.out\") > 0) print \"GET:\", l }", "log.txt"},
		{"BEGIN { print substr(\"hello\", 2, 100), index(\"hello\", \"ll\"), match(\"foobar\", /o+/), RSTART, RLENGTH }"},
		{"BEGIN { print -3 % 2, int(-0.5), 5 / 2 }"}, {"BEGIN { a = \"x\"; b = a++; print a, b }"}, {"{ $0 = tolower($0); print $1 }", "log.txt"},
	} {
		cases = append(cases, textCase{args: append([]string{"awk"}, a...), files: files})
	}
	diffCases(t, cases)
}

func TestAwkMemoryBounds(t *testing.T) {
	checkCases(t, []textCase{
		{args: []string{"awk", `BEGIN { s = "x"; while (1) s = s s }`}, wantCode: 2, wantErr: "string too long"},
		{args: []string{"awk", `BEGIN { $2000000 = "x" }`}, wantCode: 2, wantErr: "out of range field"},
		{args: []string{"awk", `BEGIN { NF = 2000000 }`}, wantCode: 2, wantErr: "too large"},
		{args: []string{"awk", `BEGIN { s = sprintf("%999999999d", 1); print length(s) }`}, wantOut: "65536\n"},
		{args: []string{"awk", `BEGIN { s = sprintf("%*d", 1e12, 1); print length(s) }`}, wantOut: "65536\n"},
	})
}
