package manifestcmd

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.toml")
	os.WriteFile(good, []byte("[environment]\nTOKEN = { value = \"s3cret\", secret = true }\n[entries.\"a.txt\"]\ntype = \"file\"\ncontent = \"hi\"\n"), 0o644)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[entries.\"../x\"]\ntype = \"file\"\ncontent = \"hi\"\n"), 0o644)

	files, err := Parse([]string{"check", good, bad}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = Check(files, &out)
	if !errors.Is(err, &providers.Error{Code: providers.CodeInvalidManifestPath}) || !strings.Contains(err.Error(), "bad.toml") {
		t.Fatalf("err = %v", err)
	}
	s := out.String()
	if !strings.Contains(s, "good.toml: ok") || !strings.Contains(s, "a.txt") || strings.Contains(s, "s3cret") {
		t.Fatalf("output:\n%s", s)
	}
	if _, err := Parse([]string{"lint", good}, io.Discard); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
}
