package host_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/spf13/afero"

	"github.com/wsbx/wsbx/host"
)

// Example compiles a WASI module once and runs it with arguments, output
// and a filesystem of its own.
func Example() {
	ctx := context.Background()
	h, err := host.New(ctx, host.Config{}) // in-memory compilation cache
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close(ctx)

	wasm, err := os.ReadFile("../testdata/guests/c/hello.wasm")
	if err != nil {
		log.Fatal(err)
	}
	m, err := h.Compile(ctx, wasm)
	if err != nil {
		log.Fatal(err)
	}
	exit, err := h.Run(ctx, m, host.RunConfig{
		Args:   []string{"hello", "3"}, // hello exits with its first argument
		Stdout: os.Stdout,
		FS:     afero.NewMemMapFs(),
		Dir:    "/",
	})
	fmt.Println("exit", exit, err)
	// Output:
	// hello
	// exit 3 <nil>
}
