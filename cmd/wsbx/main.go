// Command wsbx runs commands in sandboxes. Run "wsbx --help" for usage.
package main

import (
	"context"
	"os"

	"github.com/wsbx/wsbx/cmd/wsbx/internal/root"
)

func main() {
	os.Exit(root.Main(context.Background(), os.Args[1:], root.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
