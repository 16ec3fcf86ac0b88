// Package plugins loads, verifies and calls wsbx plugins: WebAssembly modules
// that follow the Extism plug-in ABI and the wsbx conventions in ABI.md.
//
// A [Set] belongs to one Runtime: it compiles each plugin once (sharing the
// Runtime's compilation cache) and keeps a small pool of instances per
// plugin, each serving one call at a time. [Plugin.Call] runs one export with
// a timeout, a memory limit and an output size limit; a plugin that traps,
// loops, runs out of memory or answers with malformed JSON fails that call
// with a providers.Error of code plugin_error naming the plugin and the
// export, its instance is discarded, and the Set keeps serving.
//
// Each kind adapts to the Go interface it stands for: [Plugin.Provider] gives
// a providers.Provider, [Plugin.Capability] a [Capability] checker and
// [Plugin.Entry] an [Entry] materializer.
package plugins
