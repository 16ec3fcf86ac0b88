// Package wsbxplugin is the wsbx plug-in kit for the standard Go toolchain.
//
// A plugin is a Go main package built for WASI as a reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugin.wasm .
//
// It exports wsbx_describe and the exports of its kind with //go:wasmexport,
// each a one-line call into this package:
//
//	//go:wasmexport wsbx_describe
//	func describe() int32 {
//		return wsbxplugin.Describe(wsbxplugin.Info{Kind: "capability", Name: "deny", Version: "0.1.0"})
//	}
//
//	//go:wasmexport check
//	func check() int32 {
//		return wsbxplugin.Check(func(req wsbxplugin.CheckRequest) wsbxplugin.Decision {
//			return wsbxplugin.Decision{Allow: req.Op != "network"}
//		})
//	}
//
// A provider plugin implements [Provider] and registers one Handle function
// per export; with [HandleExecStart], [HandleExecPoll] and
// [HandleExecCancel] the host streams its commands' output and can cancel
// them; a provider that also implements [Snapshotter] registers
// [HandleSnapshot] and [HandleRestore], and one that implements [Archiver]
// registers [HandleExportArchive] and [HandleImportArchive].
// examples/memsandbox does all of it.
//
// The messages are those of plugins/ABI.md, shared with the host through
// package github.com/wsbx/wsbx/plugins/abi. See examples/ for one plugin of
// each kind.
package wsbxplugin
