package manifest

import (
	"context"

	"github.com/wsbx/wsbx/providers"
)

func (j *job) gitRepo(ctx context.Context) error {
	return j.failf(providers.CodeUnsupported, "git_repo is not implemented yet")
}
