package wasifs_test

import (
	"fmt"
	"os"

	"github.com/spf13/afero"
	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

// An overlay shows the merged content of its layers; changes go to the
// upper layer only, as files and whiteouts.
func ExampleNew() {
	base := wasifs.NewMemLayer()
	_ = base.MkdirAll("/src", 0o755)
	_ = afero.WriteFile(base, "/src/main.go", []byte("package main\n"), 0o644)
	_ = afero.WriteFile(base, "/src/old.go", []byte("package main\n"), 0o644)

	upper := wasifs.NewMemLayer()
	ws := wasifs.New(upper, base)
	_ = afero.WriteFile(ws, "/src/new.go", []byte("package main\n"), 0o644)
	_ = ws.Remove("/src/old.go")

	names, _ := afero.ReadDir(ws, "/src")
	for _, fi := range names {
		fmt.Println("workspace:", fi.Name())
	}
	changes, _ := afero.ReadDir(upper, "/src")
	for _, fi := range changes {
		fmt.Println("upper layer:", fi.Name())
	}
	_, err := base.Stat("/src/old.go")
	fmt.Println("base still has old.go:", err == nil)
	// Output:
	// workspace: main.go
	// workspace: new.go
	// upper layer: .wh.old.go
	// upper layer: new.go
	// base still has old.go: true
}

// Symlinks resolve inside the workspace root, whatever their target says.
func ExampleOverlay_SymlinkIfPossible() {
	ws := wasifs.New(wasifs.NewMemLayer())
	_ = afero.WriteFile(ws, "/etc-passwd", []byte("sandbox copy\n"), 0o644)
	_ = ws.SymlinkIfPossible("../../../../etc-passwd", "/link")
	b, _ := afero.ReadFile(ws, "/link")
	fmt.Print(string(b))
	// Output:
	// sandbox copy
}

// A directory layer keeps its symlinks inside its directory.
func ExampleNewDirLayer() {
	dir, _ := os.MkdirTemp("", "layer")
	defer os.RemoveAll(dir)
	layer := wasifs.NewDirLayer(dir)
	_ = layer.(afero.Linker).SymlinkIfPossible("/", "/root-link")
	_ = afero.WriteFile(layer, "/root-link/f", []byte("inside"), 0o644)
	b, _ := os.ReadFile(dir + "/f")
	fmt.Println(string(b))
	// Output:
	// inside
}
