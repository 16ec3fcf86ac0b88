package manifest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

const sampleTOML = `version = 1
root = "/workspace"

[environment]
MODE = "test"
TOKEN = { value = "s3cr3t-value", secret = true }

[entries."README.md"]
type = "inline_file"
content = "# hello\n"
permissions = "0600"

[entries.bin]
type = "file"
content = "IyEvYmluL3NoCmVjaG8gaGkK"
encoding = "base64"
permissions = 0o755

[entries.src]
type = "dir"
description = "sources"

[entries.src.entries."main.go"]
type = "inline_file"
content = "package main\n"

[entries.repo]
type = "git_repo"
repo = "owner/name"
ref = "main"
depth = 1
subpath = "cmd"
sparse = ["a", "b/c"]
ephemeral = true

[entries.data]
type = "remote_dir"
url = "https://example.com/data.tar.gz"
headers = { Authorization = "Bearer ${TOKEN}" }

[limits]
exec_timeout = "30s"
memory_bytes = 1048576

[capabilities.network]
allow = ["example.com"]

[plugins.lint]
path = "plugins/lint.wasm"
config = { level = 3, nested = { a = 1 } }
allowed_hosts = ["api.example.com"]
`

func TestParseTOMLAndJSONAgree(t *testing.T) {
	m, err := Parse([]byte(sampleTOML), "toml")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Entries["README.md"].Permissions; got != 0o600 {
		t.Errorf("permissions = %v", got)
	}
	if got := m.Entries["bin"].Permissions; got != 0o755 {
		t.Errorf("permissions = %v", got)
	}
	if !m.Environment["TOKEN"].Secret || m.Environment["TOKEN"].Value != "s3cr3t-value" {
		t.Errorf("TOKEN = %#v", m.Environment["TOKEN"])
	}
	if got := m.EphemeralPaths(); len(got) != 1 || got[0] != "repo" {
		t.Errorf("EphemeralPaths = %v", got)
	}
	l, err := m.Limits.ProviderLimits()
	if err != nil || l.ExecTimeout.Seconds() != 30 {
		t.Errorf("limits = %v, %v", l, err)
	}
	// JSON of the unredacted manifest (built by hand, since MarshalJSON
	// redacts secrets) must parse to the same thing.
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), "s3cr3t-value") {
		t.Fatalf("secret in JSON: %s", js)
	}
	m2, err := Parse(js, "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if Describe(m) != Describe(m2) {
		t.Errorf("describe differs:\n%s\n---\n%s", Describe(m), Describe(m2))
	}
	if m2.Environment["TOKEN"].Value != RedactedValue {
		t.Errorf("round-tripped secret = %q", m2.Environment["TOKEN"].Value)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	m, err := Parse([]byte(sampleTOML), "toml")
	if err != nil {
		t.Fatal(err)
	}
	r := m.Redacted()
	if r.Environment["TOKEN"].Value != RedactedValue || m.Environment["TOKEN"].Value != "s3cr3t-value" {
		t.Fatal("Redacted must copy, not change the original")
	}
	for _, s := range []string{
		m.Environment["TOKEN"].String(),
		Describe(m),
		mustJSON(t, m),
		mustJSON(t, r),
		sprintf("%v %+v %#v", m.Environment, m.Environment, m.Environment),
	} {
		if strings.Contains(s, "s3cr3t-value") {
			t.Errorf("secret printed: %s", s)
		}
	}
}

func TestLoadNamesFileKeyAndLine(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, text string
		code       providers.Code
		line       int
		key        string
	}{
		{"unknown.toml", "version = 1\n\n[entries.a]\ntype = \"file\"\ncontnt = \"x\"\n", providers.CodeInvalidManifest, 5, "entries.a.contnt"},
		{"case.toml", "[entries.a]\nTYPE = \"file\"\n", providers.CodeInvalidManifest, 2, "entries.a.TYPE"},
		{"section.toml", "version = 1\n[network]\nallow = true\n", providers.CodeInvalidManifest, 2, "network"},
		{"wrongtype.toml", "[entries.a]\ntype = \"git_repo\"\nurl = \"https://x/y\"\ndepth = \"deep\"\n", providers.CodeInvalidManifest, 4, "entries.a.depth"},
		{"notapply.toml", "[entries.a]\ntype = \"inline_file\"\n\nsrc = \"x\"\n", providers.CodeInvalidManifest, 4, "entries.a.src"},
		{"abs.toml", "\n[entries.\"/etc/passwd\"]\ntype = \"file\"\n", providers.CodeInvalidManifestPath, 2, `entries."/etc/passwd"`},
		{"mode.toml", "[entries.a]\ntype = \"file\"\npermissions = \"rwx\"\n", providers.CodeInvalidManifest, 3, "entries.a.permissions"},
		{"env.toml", "[environment]\nA = { value = \"x\", secrett = true }\n", providers.CodeInvalidManifest, 2, "environment.A"},
		{"unknown.json", "{\n \"entries\": {\n  \"a\": {\"type\": \"file\",\n   \"contnt\": \"x\"}}}\n", providers.CodeInvalidManifest, 4, "entries.a.contnt"},
		{"wrongtype.json", "{\"entries\": {\"a\": {\"type\": \"git_repo\", \"url\": \"https://x/y\",\n \"depth\": \"deep\"}}}", providers.CodeInvalidManifest, 2, "entries.a.depth"},
		{"mode.json", "{\"entries\": {\"a\": {\"type\": \"file\",\n\n \"permissions\": \"9\"}}}", providers.CodeInvalidManifest, 3, "entries.a.permissions"},
		{"dup.json", "{\"entries\": {\"a\": {\"type\": \"file\"},\n \"a\": {\"type\": \"dir\"}}}", providers.CodeInvalidManifest, 2, "entries.a"},
		{"overlap.json", "{\"entries\": {\"a\": {\"type\": \"dir\"},\n \"a/b\": {\"type\": \"file\"}}}", providers.CodeInvalidManifestPath, 2, `entries."a/b"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name)
			if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if providers.CodeOf(err) != c.code {
				t.Fatalf("err = %v, want code %s", err, c.code)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("no DecodeError in %v", err)
			}
			if de.File != p || de.Line != c.line || de.Key != c.key {
				t.Errorf("got file %q line %d key %q, want %q %d %q (%v)", de.File, de.Line, de.Key, p, c.line, c.key, err)
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("message does not name the file: %v", err)
			}
		})
	}
}

func TestLoadSetsBaseDir(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.json")
	os.WriteFile(p, []byte(`{"entries": {"a": {"type": "local_file", "src": "a.txt"}}}`), 0o644)
	m, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if m.BaseDir != dir {
		t.Errorf("BaseDir = %q, want %q", m.BaseDir, dir)
	}
	// src is resolved against the manifest's directory, not the process's.
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("next to the manifest"), 0o644)
	s := newMemSession()
	if err := Materialize(context.Background(), m, s); err != nil {
		t.Fatal(err)
	}
	if got := s.snapshot()["a"]; got != "next to the manifest" {
		t.Errorf("a = %q", got)
	}
	if _, err := Load(filepath.Join(dir, "m.yaml")); providers.CodeOf(err) != providers.CodeInvalidManifest {
		t.Errorf("yaml: %v", err)
	}
}

func TestValidateGoBuilt(t *testing.T) {
	m := &Manifest{Entries: map[string]Entry{"a": {Type: TypeInlineFile, Src: "x"}}}
	if err := m.Validate(); providers.CodeOf(err) != providers.CodeInvalidManifest {
		t.Errorf("src on inline_file: %v", err)
	}
	m = &Manifest{Entries: map[string]Entry{"../a": {Type: TypeInlineFile}}}
	if err := m.Validate(); providers.CodeOf(err) != providers.CodeInvalidManifestPath {
		t.Errorf("..: %v", err)
	}
	m = &Manifest{Entries: map[string]Entry{"a": {Type: TypeDir, Entries: map[string]Entry{"b": {Type: TypeFile}}}}}
	if err := m.Validate(); err != nil {
		t.Errorf("nested: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func TestRedactedCredentials(t *testing.T) {
	m := &Manifest{Entries: map[string]Entry{
		"r": {Type: TypeGitRepo, URL: "https://user:hunter2-pw@git.example.com/a/b.git"},
		"f": {Type: TypeRemoteFile, URL: "https://example.com/f", Headers: map[string]string{
			"Authorization": "Bearer literal-tok", "X-Api-Key": "literal-key", "Accept": "text/plain", "X-Token": "${TOKEN}"}},
		"d": {Type: TypeDir, Entries: map[string]Entry{
			"g": {Type: TypeRemoteFile, URL: "https://u:nested-pw@example.com/g"},
		}},
	}}
	r := m.Redacted()
	js := mustJSON(t, r)
	for _, secret := range []string{"hunter2-pw", "literal-tok", "literal-key", "nested-pw"} {
		if strings.Contains(js, secret) {
			t.Errorf("%s in %s", secret, js)
		}
	}
	for _, keep := range []string{"text/plain", "${TOKEN}", "git.example.com"} {
		if !strings.Contains(js, keep) {
			t.Errorf("%s lost from %s", keep, js)
		}
	}
	if m.Entries["f"].Headers["Authorization"] != "Bearer literal-tok" || !strings.Contains(m.Entries["r"].URL, "hunter2-pw") {
		t.Error("Redacted changed the original")
	}
	if strings.Contains(Describe(m), "hunter2-pw") {
		t.Error("Describe shows a URL password")
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// TestExamplesDescribe loads the example manifests and compares their plans
// with the golden files (go test -run TestExamplesDescribe -update).
func TestExamplesDescribe(t *testing.T) {
	for _, name := range []string{"example.toml", "example.json"} {
		t.Run(name, func(t *testing.T) {
			m, err := Load(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			got := Describe(m)
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("Describe:\n%s\nwant:\n%s", got, want)
			}
			if strings.Contains(got, "replace-me") {
				t.Error("secret in the plan")
			}
		})
	}
}
