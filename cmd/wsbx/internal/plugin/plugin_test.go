package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

func fixture(name string) string {
	return filepath.Join("..", "..", "..", "..", "testdata", "plugins", name)
}

func TestParse(t *testing.T) {
	if _, err := Parse([]string{"--help"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	if _, err := Parse([]string{"inspect"}, io.Discard); err == nil {
		t.Fatal("inspect without files accepted")
	}
	if _, err := Parse([]string{"frobnicate", "x"}, io.Discard); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
	o, err := Parse([]string{"inspect", "--json", "a.wasm", "b.wasm"}, io.Discard)
	if err != nil || !o.JSON || len(o.Files) != 2 {
		t.Fatalf("got %+v, %v", o, err)
	}
}

func TestInspect(t *testing.T) {
	var out bytes.Buffer
	err := Inspect(context.Background(), &InspectOptions{Files: []string{fixture("c-read-only.wasm")}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"name      read-only", "kind      capability", "abi       1", "sha256    ", "exports   _initialize, check, wsbx_describe"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	err = Inspect(context.Background(), &InspectOptions{JSON: true, Files: []string{fixture("as-allow-hosts.wasm")}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if got["name"] != "allow-hosts" || got["kind"] != "capability" || got["abi"] != float64(1) || len(got["sha256"].(string)) != 64 {
		t.Fatalf("json = %v", got)
	}
	if exports, _ := got["exports"].([]any); !slices.Contains(exports, any("check")) {
		t.Fatalf("exports = %v", got["exports"])
	}

	err = Inspect(context.Background(), &InspectOptions{Files: []string{fixture("c-hostile-abi2.wasm")}}, io.Discard)
	if !errors.Is(err, providers.ErrPluginError) || !strings.Contains(err.Error(), "ABI version 2") {
		t.Fatalf("wrong ABI version: %v", err)
	}
}
