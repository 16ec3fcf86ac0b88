package coreutils

import (
	"sort"
	"strings"
	"testing"
)

var dumpFiles = map[string]string{
	"h":    "hello\n",
	"bin":  "hello world, this is a long line\x00\x01\x02\xff\t\r\n",
	"same": strings.Repeat("abcdefghijklmnop", 4) + "xyz",
}

func TestDumpDifferential(t *testing.T) {
	var cases []textCase
	for _, a := range [][]string{
		{"xxd", "h"}, {"xxd", "bin"}, {"xxd", "-p", "bin"}, {"xxd", "-c", "8", "bin"}, {"xxd", "-l", "5", "bin"},
		{"xxd", "-s", "3", "h"}, {"xxd", "-g", "1", "h"}, {"xxd", "-u", "bin"}, {"xxd", "same"},
		{"hexdump", "-C", "h"}, {"hexdump", "-C", "bin"}, {"hexdump", "-C", "same"}, {"hexdump", "h"}, {"hexdump", "bin"},
		{"hexdump", "-C", "-n", "4", "bin"},
		{"od", "-c", "h"}, {"od", "-c", "bin"}, {"od", "h"}, {"od", "-x", "bin"}, {"od", "-An", "-tx1", "bin"},
		{"od", "-t", "d1", "bin"}, {"od", "-t", "u2", "bin"}, {"od", "-A", "x", "-t", "o1", "h"}, {"od", "same"},
		{"od", "-v", "-c", "same"}, {"od", "-N", "3", "-c", "h"}, {"od", "-j", "2", "-c", "h"}, {"od", "-b", "h"},
	} {
		cases = append(cases, textCase{args: a, files: dumpFiles})
	}
	diffCases(t, cases)
	dir := t.TempDir()
	writeFiles(t, dir, dumpFiles)
	writeFiles(t, dir, map[string]string{"plain": "68656c6c6f0a\n"})
	if out, _, code := runText(t, dir, "", "xxd", "-r", "-p", "plain"); out != "hello\n" || code != 0 {
		t.Errorf("xxd -r -p: %q %d", out, code)
	}
	dumped, _, _ := runText(t, dir, "", "xxd", "bin")
	if out, _, _ := runText(t, dir, dumped, "xxd", "-r"); out != dumpFiles["bin"] {
		t.Errorf("xxd -r of xxd output: %q", out)
	}
}

func TestShuf(t *testing.T) {
	dir := t.TempDir()
	out, _, code := runText(t, dir, "a\nb\nc\nd\n", "shuf")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	sort.Strings(lines)
	if code != 0 || strings.Join(lines, ",") != "a,b,c,d" {
		t.Errorf("shuf: %q %d", out, code)
	}
	out, _, _ = runText(t, dir, "", "shuf", "-i", "1-10", "-n", "3")
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("shuf -i 1-10 -n 3 printed %d lines: %q", n, out)
	}
	out, _, _ = runText(t, dir, "", "shuf", "-e", "x", "y")
	if out != "x\ny\n" && out != "y\nx\n" {
		t.Errorf("shuf -e: %q", out)
	}
	out, _, _ = runText(t, dir, "", "shuf", "-r", "-n", "5", "-e", "z")
	if out != "z\nz\nz\nz\nz\n" {
		t.Errorf("shuf -r: %q", out)
	}
	if _, errs, code := runText(t, dir, "", "shuf", "-i", "5-1"); code != 1 || !strings.Contains(errs, "invalid input range") {
		t.Errorf("shuf -i 5-1: %d %q", code, errs)
	}
}
