package snapshot_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/snapshot"
)

// A session's workspace is forked from a snapshot, written to, and
// committed as a new snapshot on top of it.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "snapshots")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := snapshot.Open(dir)
	if err != nil {
		log.Fatal(err)
	}

	ws, err := st.Fork("") // an empty workspace
	if err != nil {
		log.Fatal(err)
	}
	ws.MkdirAll("/workspace", 0o755)
	afero.WriteFile(ws, "/workspace/hello.txt", []byte("hello"), 0o644)
	afero.WriteFile(ws, "/workspace/old.txt", []byte("old"), 0o644)
	base, err := st.Commit(ctx, ws.Upper(), "", nil)
	if err != nil {
		log.Fatal(err)
	}

	ws, _ = st.Fork(base)
	afero.WriteFile(ws, "/workspace/hello.txt", []byte("hello, world"), 0o644)
	ws.Remove("/workspace/old.txt")
	next, err := st.Commit(ctx, ws.Upper(), base, map[string]string{"step": "2"})
	if err != nil {
		log.Fatal(err)
	}

	changes, _ := st.Diff(next)
	for _, c := range changes {
		fmt.Println(c.Kind, c.Path)
	}
	view, _ := st.Open(next)
	b, _ := afero.ReadFile(view, "/workspace/hello.txt")
	fmt.Println(string(b))
	// Output:
	// modified /workspace/hello.txt
	// deleted /workspace/old.txt
	// hello, world
}

// A snapshot travels between stores (or providers) as a portable archive.
func ExampleStore_Export() {
	ctx := context.Background()
	dir1, _ := os.MkdirTemp("", "a")
	dir2, _ := os.MkdirTemp("", "b")
	defer os.RemoveAll(dir1)
	defer os.RemoveAll(dir2)
	src, _ := snapshot.Open(dir1)
	dst, _ := snapshot.Open(dir2)

	ws, _ := src.Fork("")
	ws.MkdirAll("/workspace/src", 0o755)
	afero.WriteFile(ws, "/workspace/src/main.go", []byte("package main\n"), 0o644)
	id, _ := src.Commit(ctx, ws.Upper(), "", nil)

	var archive bytes.Buffer
	if err := src.Export(ctx, id, &archive, snapshot.ExportOptions{Root: "workspace"}); err != nil {
		log.Fatal(err)
	}
	imported, err := dst.Import(ctx, &archive, snapshot.ImportOptions{Root: "workspace"})
	if err != nil {
		log.Fatal(err)
	}
	view, _ := dst.Open(imported)
	b, _ := afero.ReadFile(view, "/workspace/src/main.go")
	fmt.Printf("%q\n", b)
	// Output: "package main\n"
}

// ReadArchive refuses members that would leave the extraction root.
func ExampleReadArchive() {
	ctx := context.Background()
	var buf bytes.Buffer
	// An archive whose only member climbs out of the root.
	tw := tarWriter(&buf, "../../etc/cron.d/evil")
	tw.Close()
	err := snapshot.ReadArchive(ctx, &buf, afero.NewMemMapFs(), "workspace", snapshot.Limits{})
	fmt.Println(err)
	// Output: read_archive ../../etc/cron.d/evil: workspace_archive_error: archive member escapes the root: ".." in name
}
