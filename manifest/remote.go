package manifest

import (
	"context"

	"github.com/wsbx/wsbx/providers"
)

func (j *job) remoteFile(ctx context.Context) error {
	return j.failf(providers.CodeUnsupported, "remote_file is not implemented yet")
}

func (j *job) remoteDir(ctx context.Context) error {
	return j.failf(providers.CodeUnsupported, "remote_dir is not implemented yet")
}
