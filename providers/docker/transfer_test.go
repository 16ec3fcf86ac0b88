package docker

import (
	"testing"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/providertest"
	"github.com/wsbx/wsbx/providers/wasi"
)

// TestTransferWithWasi moves a workspace from a docker session to a wasi
// session through the portable archive, and back.
func TestTransferWithWasi(t *testing.T) {
	providertest.RunTransfer(t,
		func(t *testing.T) providers.Provider { return newProvider(t) },
		func(t *testing.T) providers.Provider { return wasi.New() },
	)
}
