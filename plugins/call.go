package plugins

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/wsbx/wsbx/internal/extism"

	"github.com/wsbx/wsbx/providers"
)

// Call runs one export with input and returns its output. An instance serves
// one call at a time; calls beyond the pool wait for a fresh instance.
//
// # Errors
//
// A providers.Error carrying the plugin's own code when the export failed with
// a JSON error object (see ABI.md); otherwise code plugin_error, naming the
// plugin and the export, when the export is missing, traps, runs past the
// timeout, exhausts its memory, fails with a text error, or returns more than
// MaxOutputBytes. The instance of a call that fails any of these ways except
// a guest-reported error is discarded.
func (p *Plugin) Call(ctx context.Context, export string, input []byte) ([]byte, error) {
	return p.call(ctx, export, input, p.opts.Timeout)
}

// call is Call with a timeout of its own (provider execs extend it by the
// command's timeout).
func (p *Plugin) call(ctx context.Context, export string, input []byte, timeout time.Duration) ([]byte, error) {
	if p.desc.Kind == "provider" {
		p.single.Lock()
		defer p.single.Unlock()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	inst, err := p.instance(ctx)
	if err != nil {
		return nil, p.stopped(ctx, export, err)
	}
	if !p.exports[export] {
		p.release(ctx, inst)
		return nil, pluginErr(p.desc.Name, export, errors.New("the plugin does not export this function"))
	}
	// The guest is stopped by closing its instance when ctx ends, and the
	// call itself gets a context without a Done channel: given one, wazero
	// would start a watcher goroutine for each of the eight or so calls into
	// the guest and the Extism kernel that one plugin call makes. Host
	// functions find the live context under liveCtxKey.
	stop := context.AfterFunc(ctx, func() { inst.Close(context.Background()) })
	callCtx := context.WithValue(context.WithoutCancel(ctx), liveCtxKey{}, ctx)
	rc, out, err := inst.CallWithContext(callCtx, export, input)
	if !stop() {
		// The deadline or a cancellation closed the module, perhaps after
		// the guest returned: the instance is gone either way.
		return nil, p.stopped(ctx, export, err)
	}
	if err == nil && rc != 0 {
		err = fmt.Errorf("export returned status %d", rc)
	}
	if err != nil {
		// A failure the guest reported itself leaves the instance usable; a
		// trap or exit does not.
		if guestMsg := guestError(ctx, inst); guestMsg != "" {
			p.release(ctx, inst)
			return nil, p.decodeError(export, guestMsg)
		}
		inst.Close(context.WithoutCancel(ctx))
		return nil, pluginErr(p.desc.Name, export, err)
	}
	if len(out) > p.opts.MaxOutputBytes {
		// Its memory has grown to hold the output: start afresh.
		inst.Close(context.WithoutCancel(ctx))
		return nil, pluginErr(p.desc.Name, export, fmt.Errorf("output of %d bytes exceeds the limit of %d", len(out), p.opts.MaxOutputBytes))
	}
	p.release(ctx, inst)
	// The instance reuses its memory: copy before the next call.
	return append([]byte(nil), out...), nil
}

// liveCtxKey holds the caller's context inside a call (see Call).
type liveCtxKey struct{}

// liveContext returns the caller's context of the current call.
func liveContext(ctx context.Context) context.Context {
	if live, ok := ctx.Value(liveCtxKey{}).(context.Context); ok {
		return live
	}
	return ctx
}

// stopped is the error of a call ended by its deadline or a cancellation.
func (p *Plugin) stopped(ctx context.Context, export string, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		err = errors.New("call ran past its timeout")
	case ctx.Err() != nil:
		err = fmt.Errorf("call stopped: %w", ctx.Err())
	}
	return pluginErr(p.desc.Name, export, err)
}

// guestError returns the error text the guest set with error_set, or "" when
// the call did not end that way (or the instance is no longer usable).
func guestError(ctx context.Context, inst *extism.Plugin) string {
	defer func() { _ = recover() }() // a closed module may panic in the SDK
	return inst.GetErrorWithContext(ctx)
}

// decodeError turns the guest's error text into a *providers.Error: a JSON
// error object keeps its code, anything else becomes plugin_error.
func (p *Plugin) decodeError(export, msg string) error {
	var e providers.Error
	if json.Unmarshal([]byte(msg), &e) == nil && e.Code != "" {
		if e.Op == "" {
			e.Op = export
		}
		return &e
	}
	return &providers.Error{Code: providers.CodePluginError, Op: export, Target: p.desc.Name, Message: msg}
}

// callJSON marshals in, calls export and unmarshals the output into out.
func (p *Plugin) callJSON(ctx context.Context, export string, in, out any) error {
	return p.callJSONTimeout(ctx, export, in, out, p.opts.Timeout)
}

func (p *Plugin) callJSONTimeout(ctx context.Context, export string, in, out any, timeout time.Duration) error {
	b, err := json.Marshal(in)
	if err != nil {
		return pluginErr(p.desc.Name, export, err)
	}
	res, err := p.call(ctx, export, b, timeout)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res, out); err != nil {
		return pluginErr(p.desc.Name, export, fmt.Errorf("malformed output: %w", err))
	}
	return nil
}

func (p *Plugin) instance(ctx context.Context) (*extism.Plugin, error) {
	select {
	case inst := <-p.pool:
		return inst, nil
	default:
	}
	inst, err := p.compiled.Instance(ctx, extism.PluginInstanceConfig{
		// Real clocks and randomness (wazero's defaults are fixed), no
		// filesystem, no environment, no arguments.
		ModuleConfig: wazero.NewModuleConfig().
			WithSysWalltime().WithSysNanotime().WithSysNanosleep().
			WithRandSource(rand.Reader),
	})
	if err != nil {
		return nil, err
	}
	inst.SetLogger(func(extism.LogLevel, string) {}) // never the SDK's stdout logger
	return inst, nil
}

func (p *Plugin) release(ctx context.Context, inst *extism.Plugin) {
	select {
	case p.pool <- inst:
	default:
		inst.Close(context.WithoutCancel(ctx))
	}
}
