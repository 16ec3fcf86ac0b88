package wasi_test

import (
	"testing"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/providertest"
	"github.com/wsbx/wsbx/providers/wasi"
	"github.com/wsbx/wsbx/providers/wasi/coreutils"
)

func TestProviderConformance(t *testing.T) {
	opts := []providertest.Option{
		providertest.Skip("files/large", "the wasi workspace lives in memory, so a 100 MiB file is held in memory"),
		providertest.Skip("confinement/symlinks", "the suite removes each link (allowed) and then expects Mkdir of the same name to escape"),
	}
	utils := coreutils.Default()
	for name, needs := range map[string]string{"exec/timeout": "sleep", "exec/output-cap": "yes"} {
		if _, ok := utils.Lookup(needs); !ok {
			opts = append(opts, providertest.Skip(name, "the built-in utilities have no "+needs+" yet"))
		}
	}
	providertest.Run(t, func(t *testing.T) providers.Provider { return wasi.New() }, opts...)
}
