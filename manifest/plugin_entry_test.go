package manifest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wsbx/wsbx/providers"
)

const pluginManifest = `
[plugins.template]
path = "template.wasm"

[entries.app]
type = "template"
description = "rendered by a plugin"
config = { vars = { name = "demo" }, files = { "README.md" = "# {{.name}}" } }

[entries."notes.txt"]
type = "inline_file"
content = "hi"
`

func TestPluginEntryDecoding(t *testing.T) {
	m, err := Parse([]byte(pluginManifest), "toml")
	if err != nil {
		t.Fatal(err)
	}
	e := m.Entries["app"]
	if e.Type != "template" || e.Config["vars"].(map[string]any)["name"] != "demo" {
		t.Fatalf("entry = %+v", e)
	}

	// Without a [plugins] section the type is unknown.
	noPlugins := strings.Replace(pluginManifest, "[plugins.template]\npath = \"template.wasm\"\n", "", 1)
	_, err = Parse([]byte(noPlugins), "toml")
	if !errors.Is(err, providers.ErrInvalidManifest) || !strings.Contains(err.Error(), `unknown entry type "template"`) {
		t.Fatalf("got %v", err)
	}
	// Built-in types take no config, plugin types no built-in keys.
	for _, bad := range []string{
		strings.Replace(pluginManifest, `content = "hi"`, `content = "hi"`+"\nconfig = { a = 1 }", 1),
		strings.Replace(pluginManifest, `description = "rendered by a plugin"`, `src = "x"`, 1),
	} {
		if _, err := Parse([]byte(bad), "toml"); !errors.Is(err, providers.ErrInvalidManifest) || !strings.Contains(err.Error(), "does not apply") {
			t.Errorf("got %v", err)
		}
	}
}

func TestPluginEntryMaterialize(t *testing.T) {
	m, err := Parse([]byte(pluginManifest), "toml")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	render := func(ctx context.Context, s providers.Session, dest string, e Entry) error {
		files := e.Config["files"].(map[string]any)
		for name, text := range files {
			body := strings.ReplaceAll(text.(string), "{{.name}}", e.Config["vars"].(map[string]any)["name"].(string))
			if err := s.WriteFile(ctx, dest+"/"+name, strings.NewReader(body), 0); err != nil {
				return err
			}
		}
		return nil
	}

	s := newMemSession()
	if err := Materialize(ctx, m, s, WithEntryType("template", render)); err != nil {
		t.Fatal(err)
	}
	if got := s.snapshot(); got["app/README.md"] != "# demo" || got["notes.txt"] != "hi" {
		t.Fatalf("files = %v", got)
	}

	// No handler for the type: a typed error, and nothing left behind.
	s = newMemSession()
	err = Materialize(ctx, m, s)
	if !errors.Is(err, providers.ErrInvalidManifest) || !strings.Contains(err.Error(), "no loaded plugin") {
		t.Fatalf("got %v", err)
	}
	if p := s.paths(); len(p) != 0 {
		t.Fatalf("left behind: %v", p)
	}

	// A handler that fails half way: rolled back, also inside a directory
	// that existed before.
	s = newMemSession()
	if err := s.Mkdir(ctx, "app", true); err != nil {
		t.Fatal(err)
	}
	failing := func(ctx context.Context, s providers.Session, dest string, e Entry) error {
		if err := s.WriteFile(ctx, dest+"/half.txt", strings.NewReader("x"), 0); err != nil {
			return err
		}
		return errors.New("template error")
	}
	err = Materialize(ctx, m, s, WithEntryType("template", failing))
	if !errors.Is(err, &providers.Error{Code: providers.CodePluginError}) || !strings.Contains(err.Error(), "app") {
		t.Fatalf("got %v", err)
	}
	if got := s.snapshot(); len(got) != 1 || got["app/"] != "" {
		t.Fatalf("want only the directory that existed before, got %v", got)
	}
}
