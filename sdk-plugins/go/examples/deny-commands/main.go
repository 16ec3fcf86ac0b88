// Command deny-commands is a capability plugin that denies exec operations
// whose command line matches one of the configured regular expressions, and
// allows everything else.
//
// Configuration:
//
//	[plugins.deny-commands.config]
//	patterns = ['^rm\s+-rf\s+/', 'curl', 'wget']
package main

import (
	"regexp"

	wsbxplugin "github.com/wsbx/wsbx/sdk-plugins/go"
)

func main() {}

//go:wasmexport wsbx_describe
func describe() int32 {
	return wsbxplugin.Describe(wsbxplugin.Info{
		Kind:         "capability",
		Name:         "deny-commands",
		Version:      "0.1.0",
		ConfigSchema: []byte(`{"type":"object","properties":{"patterns":{"type":"array","items":{"type":"string"}}}}`),
	})
}

type config struct {
	Patterns []string `json:"patterns"`
}

// compiled caches the patterns across calls: the instance lives on.
var compiled []*regexp.Regexp

//go:wasmexport check
func check() int32 {
	if compiled == nil {
		var c config
		if err := wsbxplugin.Config(&c); err != nil {
			return wsbxplugin.Fail(err)
		}
		compiled = []*regexp.Regexp{}
		for _, p := range c.Patterns {
			re, err := regexp.Compile(p)
			if err != nil {
				return wsbxplugin.Fail(err)
			}
			compiled = append(compiled, re)
		}
	}
	return wsbxplugin.Check(func(req wsbxplugin.CheckRequest) wsbxplugin.Decision {
		if req.Op != "exec" {
			return wsbxplugin.Decision{Allow: true}
		}
		for _, re := range compiled {
			if re.MatchString(req.Subject) {
				return wsbxplugin.Decision{Allow: false, Reason: "command matches denied pattern " + re.String()}
			}
		}
		return wsbxplugin.Decision{Allow: true}
	})
}
