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

	"github.com/wsbx/wsbx/plugins/abi"
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
	return p.call(ctx, export, input, p.opts.Timeout, nil)
}

// call is Call with a timeout of its own (provider execs extend it by the
// command's timeout). When epoch is not nil, a successful call stores in it
// the epoch of the instance that served it.
func (p *Plugin) call(ctx context.Context, export string, input []byte, timeout time.Duration, epoch *uint64) ([]byte, error) {
	if p.desc.Kind == "provider" {
		p.single.Lock()
		defer p.single.Unlock()
	}
	if err := ctx.Err(); err != nil {
		return nil, pluginErr(p.desc.Name, export, fmt.Errorf("call stopped: %w", err))
	}
	inst, err := p.instance(ctx)
	if err != nil {
		return nil, pluginErr(p.desc.Name, export, err)
	}
	if !p.exports[export] {
		p.release(ctx, inst)
		return nil, pluginErr(p.desc.Name, export, errors.New("the plugin does not export this function"))
	}
	// The guest is stopped by closing its instance, when the timeout runs
	// out or ctx ends. The call itself runs on a context without a Done
	// channel or a deadline: a derived context costs more than the rest of a
	// small call. Host functions find the caller's context and the deadline
	// under liveKey.
	live := &liveCall{ctx: ctx, deadline: time.Now().Add(timeout)}
	timer := time.AfterFunc(timeout, func() { inst.Close(context.Background()) })
	stopOnDone := func() bool { return true }
	if ctx.Done() != nil {
		stopOnDone = context.AfterFunc(ctx, func() { inst.Close(context.Background()) })
	}
	callCtx := context.WithValue(context.WithoutCancel(ctx), liveKey{}, live)
	rc, out, err := inst.CallWithContext(callCtx, export, input)
	if inTime, notDone := timer.Stop(), stopOnDone(); !inTime || !notDone {
		// The timeout or a cancellation closed the module, perhaps after
		// the guest returned: the instance is gone either way.
		p.epoch.Add(1)
		if !inTime {
			return nil, pluginErr(p.desc.Name, export, errors.New("call ran past its timeout"))
		}
		return nil, pluginErr(p.desc.Name, export, fmt.Errorf("call stopped: %w", ctx.Err()))
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
		p.discard(ctx, inst)
		return nil, pluginErr(p.desc.Name, export, err)
	}
	if len(out) > p.opts.MaxOutputBytes {
		// Its memory has grown to hold the output: start afresh.
		p.discard(ctx, inst)
		return nil, pluginErr(p.desc.Name, export, fmt.Errorf("output of %d bytes exceeds the limit of %d", len(out), p.opts.MaxOutputBytes))
	}
	if epoch != nil {
		*epoch = p.epoch.Load() // a provider plugin's calls hold p.single
	}
	p.release(ctx, inst)
	return out, nil // the SDK's copy, not a view of the instance's memory
}

// liveKey holds the *liveCall of the call in progress (see call).
type liveKey struct{}

// liveCall is what host functions need of the call in progress.
type liveCall struct {
	ctx      context.Context // the caller's
	deadline time.Time       // the call's timeout
}

// liveContext returns the caller's context of the current call, ending at
// the call's deadline, and its cancel function.
func liveContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if live, ok := ctx.Value(liveKey{}).(*liveCall); ok {
		return context.WithDeadline(live.ctx, live.deadline)
	}
	return context.WithCancel(ctx)
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
	return p.callJSONTimeout(ctx, export, in, out, p.opts.Timeout, nil)
}

func (p *Plugin) callJSONTimeout(ctx context.Context, export string, in, out any, timeout time.Duration, epoch *uint64) error {
	b, err := abi.Marshal(in)
	if err != nil {
		return pluginErr(p.desc.Name, export, err)
	}
	res, err := p.call(ctx, export, b, timeout, epoch)
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

// discard closes an instance that failed, and everything kept in it.
func (p *Plugin) discard(ctx context.Context, inst *extism.Plugin) {
	p.epoch.Add(1)
	inst.Close(context.WithoutCancel(ctx))
}

func (p *Plugin) release(ctx context.Context, inst *extism.Plugin) {
	select {
	case p.pool <- inst:
	default:
		inst.Close(context.WithoutCancel(ctx))
	}
}
