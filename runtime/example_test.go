package runtime_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/runtime"
)

// ExampleRuntime creates an in-process sandbox, writes a file into its
// workspace and runs a shell pipeline over it.
func ExampleRuntime() {
	ctx := context.Background()
	rt, err := runtime.New(runtime.WithWASI())
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close(ctx)

	s, err := rt.Create(ctx, "wasi", providers.SessionSpec{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close(ctx)

	res, err := s.Exec(ctx, providers.ExecRequest{Command: `echo "hello from $PWD" > greeting.txt; read line < greeting.txt; echo "$line"`})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s", res.Stdout)
	fmt.Println("exit", res.ExitCode)
	// Output:
	// hello from /workspace
	// exit 0
}
