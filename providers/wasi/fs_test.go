package wasi

import (
	"github.com/spf13/afero"

	wasifs "github.com/wsbx/wsbx/wasi-fs"
)

func newTestFS() afero.Fs { return wasifs.New(wasifs.NewMemLayer()) }
