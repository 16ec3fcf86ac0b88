package docker_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/docker"
)

// Example runs a command and moves a file in a container session. It needs
// a Docker engine and the image, so it is compiled but not run by go test.
func Example() {
	ctx := context.Background()
	p, err := docker.New(docker.Config{Image: "wsbx-test-busybox:latest"})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	s, err := p.Create(ctx, providers.SessionSpec{
		Limits:  providers.Limits{MemoryBytes: 256 << 20, PIDs: 128},
		Options: []byte(`{"read_only_root": true}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.WriteFile(ctx, "hello.txt", strings.NewReader("hello\n"), 0); err != nil {
		log.Fatal(err)
	}
	res, err := s.Exec(ctx, providers.ExecRequest{Command: "wc -c < hello.txt"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(res.Stdout))
}

// ExampleProvider_RemoveOrphans removes the containers that sessions
// labelled app=ci left behind.
func ExampleProvider_RemoveOrphans() {
	p, err := docker.New(docker.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	removed, err := p.RemoveOrphans(context.Background(), map[string]string{"app": "ci"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(removed), "containers removed")
}
