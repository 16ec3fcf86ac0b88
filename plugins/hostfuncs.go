package plugins

import (
	"context"

	"github.com/wsbx/wsbx/host"
	"github.com/wsbx/wsbx/internal/extism"
	"github.com/wsbx/wsbx/plugins/abi"
)

// hostFunctions returns package host's wsbx_* functions for p (ABI.md,
// "Host functions") as Extism host functions: each takes the offset of its
// JSON request in the kernel's memory and returns the offset of its JSON
// response, and runs on the caller's context, ending at the call's
// deadline. p.grant is complete once Load has described p.
func (p *Plugin) hostFunctions() []extism.HostFunction {
	funcs := host.PluginFunctions(&p.grant)
	out := make([]extism.HostFunction, 0, len(funcs))
	for _, f := range funcs {
		hf := extism.NewHostFunctionWithStack(f.Name, func(ctx context.Context, cp *extism.CurrentPlugin, stack []uint64) {
			req, _ := cp.ReadBytes(stack[0]) // nil, answered as a bad request, if unreadable
			live, cancel := liveContext(ctx)
			resp := f.Call(live, req)
			cancel()
			off, err := cp.WriteBytes(resp)
			if err != nil {
				off = 0
			}
			stack[0] = off
		}, []extism.ValueType{extism.ValueTypeI64}, []extism.ValueType{extism.ValueTypeI64})
		hf.SetNamespace(abi.HostModule)
		out = append(out, hf)
	}
	return out
}
