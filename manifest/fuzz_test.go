package manifest

import (
	"encoding/json"
	"errors"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

// FuzzParse decodes arbitrary TOML and JSON. It must never panic; a failure
// is a typed invalid_manifest(_path) error with a location; a success has
// only destinations inside the root, and survives a JSON round trip.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/example.toml", "testdata/example.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, strings.HasSuffix(name, ".json"))
	}
	f.Add([]byte(sampleTOML), false)
	f.Add([]byte(`{"entries":{"a/b":{"type":"dir","entries":{"../c":{"type":"file"}}}}}`), true)
	f.Add([]byte("[entries.\"a\"]\ntype=\"file\"\n[entries.\"a/b\"]\ntype=\"file\"\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		format := FormatTOML
		if isJSON {
			format = FormatJSON
		}
		m, err := Parse(data, format)
		if err != nil {
			if c := providers.CodeOf(err); c != providers.CodeInvalidManifest && c != providers.CodeInvalidManifestPath {
				t.Fatalf("code %q: %v", c, err)
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.File == "" {
				t.Fatalf("no location: %v", err)
			}
			return
		}
		walkEntries(m.Entries, "", func(dest string, e *Entry) {
			if path.IsAbs(dest) || path.Clean(dest) != dest || dest == ".." || strings.HasPrefix(dest, "../") || strings.Contains(dest, "/../") {
				t.Fatalf("destination %q accepted", dest)
			}
			if _, err := providers.WorkspacePath(m.RootOrDefault(), path.Join(m.RootOrDefault(), dest)); err != nil {
				t.Fatalf("destination %q: %v", dest, err)
			}
		})
		js, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		m2, err := Parse(js, FormatJSON)
		if err != nil {
			t.Fatalf("round trip: %v\n%s", err, js)
		}
		if a, b := Describe(m), Describe(m2); a != b {
			t.Fatalf("round trip changed the plan:\n%s\n---\n%s", a, b)
		}
	})
}
