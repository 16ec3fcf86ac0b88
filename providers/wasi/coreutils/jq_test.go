package coreutils

import "testing"

var jqFiles = map[string]string{
	"d.json":   `{"name":"x","n":[1,2,3],"o":{"b":1.5,"a":null},"s":"a\"b\\c\u0001\u00e9","t":true}` + "\n",
	"arr.json": "[3,1,2]\n",
	"multi":    "1\n2\n{\"a\":[]}\n",
	"lines":    "one\ntwo\n",
	"bad.json": "{\n",
	"big.json": "[1e1000, 100000000000000000000, 0.1, 1.0, -0, 3.0e-7, 12345678901234567890]\n",
}

func TestJqDifferential(t *testing.T) {
	var cases []textCase
	for _, a := range [][]string{
		{".", "d.json"}, {"-c", ".", "d.json"}, {"-r", ".name", "d.json"}, {".n[]", "d.json"},
		{"-c", ".n | map(.*2)", "d.json"}, {"keys", "d.json"}, {".o", "d.json"}, {"--tab", ".o", "d.json"},
		{"--indent", "4", ".o", "d.json"}, {"-S", ".", "d.json"}, {"-j", ".n[]", "d.json"}, {".s", "d.json"},
		{"-r", ".s", "d.json"}, {"sort", "arr.json"}, {"add", "arr.json"}, {"-s", ".", "multi"}, {"-c", ".", "multi"},
		{"-n", "[range(5)]"}, {"-n", "1,2"}, {"-e", ".missing", "d.json"}, {"-e", ".t", "d.json"}, {"-e", "empty", "d.json"},
		{"-n", "--arg", "x", "5", "$x"}, {"-n", "--argjson", "x", `{"a":1}`, "$x.a"}, {".[0]", "d.json"},
		{"-R", ".", "lines"}, {"-Rs", ".", "lines"}, {"-Rc", "[., input]", "lines"}, {"-n", "[inputs]", "multi"},
		{"-n", "input", "multi"}, {".a.b", "arr.json"}, {"if . then 1", "d.json"},
		{".", "missing.json"}, {"-n", "1/3"}, {"-n", `"\u00e9" | @base64`}, {"-n", "error(\"x\")"},
		{"-n", `{"a":1} | to_entries`}, {"-cn", "$ARGS", "--args", "a", "b"}, {"-n", "--slurpfile", "v", "multi", "$v|length"},
		{"-n", "--rawfile", "v", "lines", "$v"}, {"-n", "halt_error"}, {"-n", `"bye\n"|halt_error(3)`},
		{"-n", "[limit(3; repeat(1))]"}, {"-n", "now|type"}, {"-rn", `["a",1]|@csv`}, {"-rn", `["a","b"]|@tsv`},
		{"-n", `"abc" | test("b")`}, {"-n", `"a-b" | sub("-"; "+")`}, {"-n", `[1,[2]] | flatten`},
		{"-n", `{"a":{"b":2}} | paths | tostring`}, {"-n", "--argjson", "x", "nojson", "$x"},
	} {
		cases = append(cases, textCase{args: append([]string{"jq"}, a...), files: jqFiles})
	}
	cases = append(cases,
		textCase{args: []string{"jq", ".a"}, stdin: `{"a":"stdin"}`},
		textCase{args: []string{"jq", "-r", ".[]"}, stdin: `["x","y"]`},
	)
	diffCases(t, cases)
}

func TestJqRecorded(t *testing.T) {
	checkCases(t, []textCase{
		// Number literals are kept as written (jq 1.7), not rounded (jq 1.6).
		{args: []string{"jq", "-c", "."}, stdin: "[1.0, 100000000000000000000]", wantOut: "[1.0,100000000000000000000]\n"},
		{args: []string{"jq", "-c", ". * 2"}, stdin: "1.5", wantOut: "3\n"},
		{args: []string{"jq", "."}, stdin: "{\n", wantCode: 2, wantErr: "jq: error"},
		{args: []string{"jq", "-c", "{b: 1, a: 2}"}, stdin: "null", wantOut: "{\"b\":1,\"a\":2}\n"},
		{args: []string{"jq", "-c", ".x = 1"}, stdin: `{"z":0,"a":1}`, wantOut: "{\"z\":0,\"a\":1,\"x\":1}\n"},
		{args: []string{"jq", "-S", "-c", "."}, stdin: `{"z":0,"a":1}`, wantOut: "{\"a\":1,\"z\":0}\n"},
		{args: []string{"jq", "-cn", "--arg", "z", "1", "--arg", "a", "2", "$ARGS.named"}, wantOut: "{\"z\":\"1\",\"a\":\"2\"}\n"},
		{args: []string{"jq", "-n", "--arg", "x"}, wantCode: 2, wantErr: "--arg takes two parameters"},
		{args: []string{"jq", "-n", "1 +"}, wantCode: 3, wantErr: "compile error"},
		{args: []string{"jq", "-n", "[1] | .[] | .a"}, wantCode: 5, wantErr: "jq: error"},
	})
}
