package docker

import (
	"testing"

	"github.com/wsbx/wsbx/providers/providertest"
	"github.com/wsbx/wsbx/providers/wasi"
)

// BenchmarkProviders runs providertest.Bench for the in-process wasi
// provider and for docker in one run, so their numbers compare:
//
//	go test -run '^$' -bench Providers -benchtime 20x ./providers/docker
func BenchmarkProviders(b *testing.B) {
	b.Run("wasi", func(b *testing.B) { providertest.Bench(b, wasi.New()) })
	b.Run("docker", func(b *testing.B) { providertest.Bench(b, newProvider(b)) })
}
