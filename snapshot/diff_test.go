package snapshot

import (
	"context"
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir())
	ws, _ := s.Fork("")
	writeFile(t, ws, "/w/a", "a")
	writeFile(t, ws, "/w/b", "b")
	writeFile(t, ws, "/w/dir/x", "x")
	writeFile(t, ws, "/w/dir/y", "y")
	writeFile(t, ws, "/w/keep/k", "k")
	writeFile(t, ws, "/w/mode/m", "m")
	base, err := s.Commit(ctx, ws.Upper(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Diff(base)
	if err != nil {
		t.Fatal(err)
	}
	var all []Change
	for _, p := range []string{"/w", "/w/a", "/w/b", "/w/dir", "/w/dir/x", "/w/dir/y", "/w/keep", "/w/keep/k", "/w/mode", "/w/mode/m"} {
		all = append(all, Change{p, Added})
	}
	if !slices.Equal(got, all) {
		t.Errorf("Diff(base) = %v\nwant %v", got, all)
	}

	ws, _ = s.Fork(base)
	writeFile(t, ws, "/w/a", "A")
	if err := ws.Remove("/w/b"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, ws, "/w/c", "c")
	if err := ws.RemoveAll("/w/dir"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, ws, "/w/dir/z", "z")
	if err := ws.Chmod("/w/mode", 0o700); err != nil {
		t.Fatal(err)
	}
	// A whiteout for a name the parent never had is no deletion.
	writeFile(t, ws, "/w/tmp", "t")
	if err := ws.Remove("/w/tmp"); err != nil {
		t.Fatal(err)
	}
	top, err := s.Commit(ctx, ws.Upper(), base, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err = s.Diff(top)
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{"/w/a", Modified},
		{"/w/b", Deleted},
		{"/w/c", Added},
		{"/w/dir/x", Deleted},
		{"/w/dir/y", Deleted},
		{"/w/dir/z", Added},
		{"/w/mode", Modified},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Diff(top) = %v\nwant %v", got, want)
	}
}
