// Package dockercmd is "wsbx docker": maintenance of the docker provider.
package dockercmd

import (
	"context"

	"github.com/wsbx/wsbx/providers/docker"
	"github.com/wsbx/wsbx/runtime"
)

// Prune removes the wsbx containers that no live session of this process
// holds (all of them, from a fresh process): sessions of processes that
// ended without closing them. It returns the ids removed.
func Prune(ctx context.Context) ([]string, error) {
	p, err := docker.New(docker.Config{})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	rt, err := runtime.New(runtime.WithProvider(p))
	if err != nil {
		return nil, err
	}
	defer rt.Close(ctx)
	return rt.RemoveOrphans(ctx)
}
