package plugins

import (
	"context"
	"encoding/json"
	"fmt"
	"path"

	"github.com/wsbx/wsbx/host"
	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
)

// Capability is a capability plugin seen as a policy.
type Capability struct{ p *Plugin }

// Capability returns p as a Capability.
//
// # Errors
//
// plugin_error when p is not of kind capability.
func (p *Plugin) Capability() (*Capability, error) {
	if p.desc.Kind != abi.KindCapability {
		return nil, kindErr(p, abi.KindCapability)
	}
	return &Capability{p: p}, nil
}

// Name is the plugin's name.
func (c *Capability) Name() string { return c.p.desc.Name }

// Check asks the plugin whether op on subject is allowed in session. A failed
// call is an error; callers deny on error.
func (c *Capability) Check(ctx context.Context, op, session, subject string) (abi.Decision, error) {
	var d abi.Decision
	err := c.p.callJSON(ctx, abi.ExportCheck, abi.CheckRequest{Op: op, Session: session, Subject: subject}, &d)
	return d, err
}

// Entry is an entry plugin seen as a materializer of its entry types.
type Entry struct{ p *Plugin }

// Entry returns p as an Entry.
//
// # Errors
//
// plugin_error when p is not of kind entry.
func (p *Plugin) Entry() (*Entry, error) {
	if p.desc.Kind != abi.KindEntry {
		return nil, kindErr(p, abi.KindEntry)
	}
	return &Entry{p: p}, nil
}

// Types are the manifest entry types the plugin materializes.
func (e *Entry) Types() []string { return append([]string(nil), e.p.desc.EntryTypes...) }

// Materialize runs the plugin's materialize export for one entry. The plugin
// writes into s only under dest (a workspace path), through the file host
// functions.
func (e *Entry) Materialize(ctx context.Context, s providers.Session, typ string, config json.RawMessage, dest string) (abi.MaterializeResult, error) {
	var res abi.MaterializeResult
	if !path.IsAbs(dest) { // an absolute dest is checked by the session
		if _, err := host.ConfinePluginPath(dest); err != nil {
			return res, err
		}
	}
	if len(config) == 0 {
		config = json.RawMessage("{}")
	}
	ctx = host.WithPluginWorkspace(ctx, s, dest)
	err := e.p.callJSON(ctx, abi.ExportMaterialize, abi.MaterializeRequest{Type: typ, Config: config, Dest: dest}, &res)
	return res, err
}

func kindErr(p *Plugin, want string) error {
	return &providers.Error{Code: providers.CodePluginError, Op: "kind", Target: p.desc.Name,
		Message: fmt.Sprintf("plugin is of kind %q, not %q", p.desc.Kind, want)}
}
