package coreutils

import (
	"context"
	"errors"
	"testing"
)

func TestCatDiff(t *testing.T) {
	fx := fixture{"a": "one\ntwo\n", "b": "x\ty\x01\x80\n\n\n\nz", "d/": ""}
	runDiff(t, []diffCase{
		{name: "two files", fx: fx, args: []string{"cat", "a", "b"}},
		{name: "stdin", fx: fx, stdin: "in\n", args: []string{"cat"}},
		{name: "dash", fx: fx, stdin: "in\n", args: []string{"cat", "a", "-", "a"}},
		{name: "missing", fx: fx, args: []string{"cat", "nosuch", "a"}},
		{name: "dir", fx: fx, args: []string{"cat", "d"}},
		{name: "n", fx: fx, args: []string{"cat", "-n", "a", "b"}},
		{name: "b s", fx: fx, args: []string{"cat", "-bs", "b"}},
		{name: "A", fx: fx, args: []string{"cat", "-A", "b"}},
		{name: "e t", fx: fx, args: []string{"cat", "-e", "-t", "b"}},
		{name: "bad option", fx: fx, args: []string{"cat", "-Z", "a"}},
		{name: "double dash", fx: fx, args: []string{"cat", "--", "a"}},
	})
}

func TestCatMem(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"a": "hello\n"})
	r := runUtil(t, fsys, "/w", "", "cat", "a", "/w/a")
	if r.out != "hello\nhello\n" || r.code != 0 {
		t.Fatalf("got %+v", r)
	}
	r = runUtil(t, fsys, "/w", "", "cat", "nosuch")
	if r.err != "cat: nosuch: No such file or directory\n" || r.code != 1 {
		t.Fatalf("got %+v", r)
	}
}

// failWriter fails every write, like a closed pipe.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestCatStopsOnCancel(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"a": "hello\n"})
	env, _, _ := testEnv(fsys, "/w", "", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := cmdCat(ctx, env, []string{"cat", "a"}); code == 0 {
		t.Fatalf("cat on a cancelled context exited 0")
	}
	env.Stdout = failWriter{}
	if code := cmdCat(context.Background(), env, []string{"cat", "a"}); code == 0 {
		t.Fatalf("cat to a failing writer exited 0")
	}
}
