// Package abi holds the wire messages of the wsbx plugin ABI (see
// plugins/ABI.md). It imports only the providers contract and the standard
// library, so both the host (package plugins) and the plug-in kits compiled to
// Wasm share these exact types.
package abi

import (
	"bytes"
	"encoding/json"
	"io/fs"

	"github.com/wsbx/wsbx/providers"
)

// Version is the ABI version this package describes.
const Version = 1

// Kinds of plugin.
const (
	KindProvider   = "provider"
	KindEntry      = "entry"
	KindCapability = "capability"
)

// Export names.
const (
	ExportDescribe    = "wsbx_describe"
	ExportCheck       = "check"
	ExportMaterialize = "materialize"
	ExportCreate      = "create"
	ExportExec        = "exec"
	ExportReadFile    = "read_file"
	ExportWriteFile   = "write_file"
	ExportList        = "list"
	ExportStat        = "stat"
	ExportRemove      = "remove"
	ExportMkdir       = "mkdir"
	ExportClose       = "close"
	// Optional provider exports, in groups that go together (ABI.md).
	ExportExecStart     = "exec_start"
	ExportExecPoll      = "exec_poll"
	ExportExecCancel    = "exec_cancel"
	ExportSnapshot      = "snapshot"
	ExportRestore       = "restore"
	ExportExportArchive = "export_archive"
	ExportImportArchive = "import_archive"
)

// Host function names, imported from the module HostModule.
const (
	HostModule  = "extism:host/user"
	HostLog     = "wsbx_log"
	HostFSWrite = "wsbx_fs_write"
	HostFSMkdir = "wsbx_fs_mkdir"
	HostFSRead  = "wsbx_fs_read"
)

// ConfigKey is the Extism configuration key holding the plugin's JSON config.
const ConfigKey = "wsbx_config"

// Describe is the output of wsbx_describe.
type Describe struct {
	ABI          int             `json:"abi"`
	Kind         string          `json:"kind"`
	Name         string          `json:"name"`
	Version      string          `json:"version"`
	ConfigSchema json.RawMessage `json:"config_schema,omitempty"`
	// EntryTypes lists the manifest entry types an entry plugin handles.
	EntryTypes []string `json:"entry_types,omitempty"`
}

// CheckRequest is the input of a capability plugin's check.
type CheckRequest struct {
	Op      string `json:"op"` // exec, read, write, network
	Session string `json:"session"`
	Subject string `json:"subject"`
}

// Capability operations.
const (
	OpExec    = "exec"
	OpRead    = "read"
	OpWrite   = "write"
	OpNetwork = "network"
)

// Decision is the output of check.
type Decision struct {
	Allow  bool   `json:"allow"`
	Reason string `json:"reason,omitempty"`
}

// MaterializeRequest is the input of an entry plugin's materialize.
type MaterializeRequest struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config"`
	Dest   string          `json:"dest"`
}

// MaterializeResult is the output of materialize.
type MaterializeResult struct {
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
}

// SessionRef is the output of create and restore, and the input of close and
// snapshot.
type SessionRef struct {
	Session string `json:"session"`
}

// ExecCall is the input of exec.
type ExecCall struct {
	Session string                `json:"session"`
	Request providers.ExecRequest `json:"request"`
}

// ExecRef names a running command: the output of exec_start, the input of
// exec_cancel.
type ExecRef struct {
	Exec string `json:"exec"`
}

// ExecPoll is the input of exec_poll: the command, and how long to wait for
// new output or its end before answering with nothing.
type ExecPoll struct {
	Exec   string `json:"exec"`
	WaitMS int    `json:"wait_ms"`
}

// ExecChunk is the output of exec_poll: the output written since the last
// poll and, once the command has ended, its result (whose Stdout and Stderr
// hold all of its output, as an exec's would) and its error, if any.
type ExecChunk struct {
	Stdout []byte                `json:"stdout,omitempty"`
	Stderr []byte                `json:"stderr,omitempty"`
	Done   bool                  `json:"done,omitempty"`
	Result *providers.ExecResult `json:"result,omitempty"`
	Error  *providers.Error      `json:"error,omitempty"`
}

// PathCall is the input of read_file, list and stat.
type PathCall struct {
	Session string `json:"session"`
	Path    string `json:"path"`
}

// WriteCall is the input of write_file.
type WriteCall struct {
	Session string      `json:"session"`
	Path    string      `json:"path"`
	Data    []byte      `json:"data"`
	Mode    fs.FileMode `json:"mode,omitempty"`
}

// ArchiveCall is the input of import_archive: the portable archive (a tar
// stream, see providers.Archiver) to unpack into the session's workspace.
// export_archive takes a SessionRef and returns it as Data.
type ArchiveCall struct {
	Session string `json:"session"`
	Data    []byte `json:"data"`
}

// RemoveCall is the input of remove.
type RemoveCall struct {
	Session   string `json:"session"`
	Path      string `json:"path"`
	Recursive bool   `json:"recursive,omitempty"`
}

// MkdirCall is the input of mkdir.
type MkdirCall struct {
	Session string `json:"session"`
	Path    string `json:"path"`
	Parents bool   `json:"parents,omitempty"`
}

// Data is the output of read_file and the response of wsbx_fs_read.
type Data struct {
	Data []byte `json:"data"`
}

// Entries is the output of list.
type Entries struct {
	Entries []providers.FileInfo `json:"entries"`
}

// SnapshotID is the output of snapshot.
type SnapshotID struct {
	ID string `json:"id"`
}

// RestoreCall is the input of restore.
type RestoreCall struct {
	ID   string                `json:"id"`
	Spec providers.SessionSpec `json:"spec"`
}

// LogRequest is the request of wsbx_log.
type LogRequest struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

// FSRequest is the request of wsbx_fs_write, wsbx_fs_mkdir and wsbx_fs_read.
type FSRequest struct {
	Path string      `json:"path"`
	Data []byte      `json:"data,omitempty"`
	Mode fs.FileMode `json:"mode,omitempty"`
}

// Response is what every host function returns: Error on failure, Result
// otherwise.
type Response struct {
	Error  *providers.Error `json:"error,omitempty"`
	Result json.RawMessage  `json:"result,omitempty"`
}

// Marshal encodes v as the host encodes every message it sends a plugin:
// encoding/json without HTML escaping (command lines are full of & < >),
// without a trailing newline.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
