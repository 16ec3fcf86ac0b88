//go:build wasip1

package wsbxplugin

import (
	"encoding/json"
	"errors"

	pdk "github.com/extism/go-pdk"

	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
)

// Re-exported message types, so a plugin imports one package.
type (
	Info               = abi.Describe
	CheckRequest       = abi.CheckRequest
	Decision           = abi.Decision
	MaterializeRequest = abi.MaterializeRequest
	MaterializeResult  = abi.MaterializeResult
)

// Describe answers wsbx_describe with info, filling in the ABI version.
func Describe(info Info) int32 {
	info.ABI = abi.Version
	return output(info)
}

// Config decodes the plugin's configuration (the manifest's
// [plugins.NAME.config] table) into v. A plugin without configuration leaves v
// unchanged.
func Config(v any) error {
	s, ok := pdk.GetConfig(abi.ConfigKey)
	if !ok || s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

// Check answers a capability plugin's check export with decide.
func Check(decide func(CheckRequest) Decision) int32 {
	req, err := decodeCheckRequest(pdk.Input())
	if err != nil {
		return fail(err)
	}
	decisionBuf = appendDecision(decisionBuf[:0], decide(req))
	pdk.Output(decisionBuf) // copied into the host's memory
	return 0
}

// decisionBuf is reused across calls: an instance serves one call at a time.
var decisionBuf []byte

// Log writes a message to the host's log through wsbx_log.
func Log(level, message string) {
	_, _ = hostCall(hostLog, abi.LogRequest{Level: level, Message: message})
}

// output writes v as the call's JSON output.
func output(v any) int32 {
	b, err := json.Marshal(v)
	if err != nil {
		return fail(err)
	}
	pdk.Output(b)
	return 0
}

// fail reports err to the host: a *providers.Error travels as its JSON form
// so the host sees its code; anything else as text.
func fail(err error) int32 { return Fail(err) }

// Fail reports err as the failure of the current call and returns the
// status to return from the export. A *providers.Error keeps its code.
func Fail(err error) int32 {
	var pe *providers.Error
	if errors.As(err, &pe) {
		if b, merr := json.Marshal(asError(pe)); merr == nil {
			pdk.SetErrorString(string(b))
			return 1
		}
	}
	pdk.SetError(err) // plain text: the host reports it as this plugin's plugin_error
	return 1
}

// asError returns err as the *providers.Error that crosses the ABI: its own
// code when it has one (plugin_error otherwise), with the message of its
// cause.
func asError(err error) *providers.Error {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return &providers.Error{Code: providers.CodePluginError, Message: err.Error()}
	}
	if pe.Message == "" && pe.Err != nil {
		pe = &providers.Error{Code: pe.Code, Op: pe.Op, Target: pe.Target, Retryable: pe.Retryable, Message: pe.Err.Error()}
	}
	return pe
}

// hostCall sends req as JSON to host function f and decodes its response.
func hostCall(f func(uint64) uint64, req any) (json.RawMessage, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	in := pdk.AllocateBytes(b)
	defer in.Free()
	out := pdk.FindMemory(f(in.Offset()))
	defer out.Free()
	var resp abi.Response
	if err := json.Unmarshal(out.ReadBytes(), &resp); err != nil {
		return nil, err
	}
	if resp.Error != nil {
		return nil, resp.Error
	}
	return resp.Result, nil
}

//go:wasmimport extism:host/user wsbx_log
func hostLog(uint64) uint64

//go:wasmimport extism:host/user wsbx_fs_write
func hostFSWrite(uint64) uint64

//go:wasmimport extism:host/user wsbx_fs_mkdir
func hostFSMkdir(uint64) uint64

//go:wasmimport extism:host/user wsbx_fs_read
func hostFSRead(uint64) uint64
