package wasi_test

import (
	"testing"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/providertest"
	"github.com/wsbx/wsbx/providers/wasi"
	"github.com/wsbx/wsbx/providers/wasi/coreutils"
	"github.com/wsbx/wsbx/snapshot"
)

func TestProviderConformance(t *testing.T) {
	opts := []providertest.Option{
		providertest.Skip("files/large", "the wasi workspace lives in memory, so a 100 MiB file is held in memory"),
	}
	utils := coreutils.Default()
	for name, needs := range map[string]string{"exec/timeout": "sleep", "exec/output-cap": "yes"} {
		if _, ok := utils.Lookup(needs); !ok {
			opts = append(opts, providertest.Skip(name, "the built-in utilities have no "+needs+" yet"))
		}
	}
	providertest.Run(t, func(t *testing.T) providers.Provider { return wasi.New() }, opts...)
}

// TestProviderConformanceWithStore runs the suite on a provider with a
// snapshot store: snapshots, restore, state and resume.
func TestProviderConformanceWithStore(t *testing.T) {
	opts := []providertest.Option{
		providertest.Skip("files/large", "the wasi workspace lives in memory, so a 100 MiB file is held in memory"),
	}
	utils := coreutils.Default()
	for name, needs := range map[string]string{"exec/timeout": "sleep", "exec/output-cap": "yes"} {
		if _, ok := utils.Lookup(needs); !ok {
			opts = append(opts, providertest.Skip(name, "the built-in utilities have no "+needs+" yet"))
		}
	}
	providertest.Run(t, func(t *testing.T) providers.Provider {
		store, err := snapshot.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return wasi.New(wasi.WithSnapshotStore(store))
	}, opts...)
}
