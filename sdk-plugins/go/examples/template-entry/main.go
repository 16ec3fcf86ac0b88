// Command template-entry is an entry plugin that renders Go text/template
// files into the workspace.
//
// A manifest entry:
//
//	[entries."app"]
//	type = "template"
//	vars = { name = "demo", port = "8080" }
//	files = { "README.md" = "# {{.name}}", "conf/app.ini" = "port={{.port}}" }
package main

import (
	"encoding/json"
	"maps"
	"path"
	"slices"
	"strings"
	"text/template"

	wsbxplugin "github.com/wsbx/wsbx/sdk-plugins/go"
)

func main() {}

//go:wasmexport wsbx_describe
func describe() int32 {
	return wsbxplugin.Describe(wsbxplugin.Info{
		Kind:       "entry",
		Name:       "template",
		Version:    "0.1.0",
		EntryTypes: []string{"template"},
		ConfigSchema: []byte(`{"type":"object","properties":{` +
			`"vars":{"type":"object"},"files":{"type":"object","additionalProperties":{"type":"string"}}}}`),
	})
}

type entry struct {
	Vars  map[string]any    `json:"vars"`
	Files map[string]string `json:"files"`
}

//go:wasmexport materialize
func materialize() int32 {
	return wsbxplugin.Materialize(func(req wsbxplugin.MaterializeRequest, ws wsbxplugin.Workspace) (wsbxplugin.MaterializeResult, error) {
		var e entry
		var res wsbxplugin.MaterializeResult
		if err := json.Unmarshal(req.Config, &e); err != nil {
			return res, err
		}
		for _, name := range slices.Sorted(maps.Keys(e.Files)) { // a stable order of writes
			text := e.Files[name]
			t, err := template.New(name).Option("missingkey=error").Parse(text)
			if err != nil {
				return res, err
			}
			var b strings.Builder
			if err := t.Execute(&b, e.Vars); err != nil {
				return res, err
			}
			if dir := path.Dir(name); dir != "." {
				if err := ws.Mkdir(dir); err != nil {
					return res, err
				}
			}
			if err := ws.WriteFile(name, []byte(b.String()), 0o644); err != nil {
				return res, err
			}
			res.Files++
			res.Bytes += int64(b.Len())
		}
		return res, nil
	})
}
