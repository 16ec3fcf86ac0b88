package providers

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
)

// Code is a stable, machine-readable error code. Codes follow the names used
// by the OpenAI Agents SDK's sandbox layer where one exists.
type Code string

// Error codes. New codes may be added; existing ones never change meaning.
const (
	CodeExecTimeout          Code = "exec_timeout"         // a command ran past its deadline and was stopped
	CodeExecTransport        Code = "exec_transport_error" // the backend could not run the command at all
	CodeExecNonzero          Code = "exec_nonzero"         // a command exited non-zero (see ExecResult.Check)
	CodeExecOutputLimit      Code = "exec_output_limit"    // output passed its cap (only from ExecResult.Check)
	CodeReadNotFound         Code = "workspace_read_not_found"
	CodeReadError            Code = "workspace_read_error"
	CodeWriteTypeError       Code = "workspace_write_type_error" // e.g. writing a file where a directory is
	CodeWriteError           Code = "workspace_write_error"
	CodeRootNotFound         Code = "workspace_root_not_found"
	CodePathEscape           Code = "workspace_path_escape" // a path leaves the workspace root
	CodeInvalidPath          Code = "invalid_path"          // malformed path (NUL byte, over-long name)
	CodeNotEmpty             Code = "workspace_not_empty"
	CodeAlreadyExists        Code = "workspace_already_exists"
	CodeArchiveError         Code = "workspace_archive_error"
	CodeSnapshotError        Code = "snapshot_error"
	CodeSnapshotRestoreError Code = "snapshot_restore_error"
	CodeSessionClosed        Code = "session_closed"
	CodeSessionCreateError   Code = "session_create_error"
	CodeUnsupported          Code = "unsupported"
	CodePermissionDenied     Code = "permission_denied" // a capability or the backend refused the operation
	CodeInvalidManifest      Code = "invalid_manifest"
	CodeInvalidManifestPath  Code = "invalid_manifest_path"
	CodePluginError          Code = "plugin_error"
	CodeProviderNotFound     Code = "provider_not_found"
	CodeInvalidRequest       Code = "invalid_request"
)

// Error is the one structured error type of wsbx.
//
// errors.Is(err, target) is true when target is an *Error whose non-empty
// fields (Code, Op) all equal err's, so the sentinels below match any error of
// their code. errors.Is also sees through to Err, so a wrapped fs.ErrNotExist
// still matches.
type Error struct {
	Code      Code   `json:"code"`
	Op        string `json:"op,omitempty"`     // the operation: "exec", "read_file", "materialize", ...
	Target    string `json:"target,omitempty"` // the path, command, entry or resource (never a secret)
	Retryable bool   `json:"retryable,omitempty"`
	Err       error  `json:"-"` // the cause, if any
	// Message is a human-readable detail used when Err is nil (for instance
	// after an error crossed the plugin ABI as JSON).
	Message string `json:"message,omitempty"`
}

// Error formats as "op target: code: cause".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
	}
	if e.Target != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.Target)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	switch {
	case e.Err != nil:
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	case e.Message != "":
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code (and the same Op
// when target sets one). It also maps codes onto the io/fs categories, so
// errors.Is(err, fs.ErrNotExist) holds for CodeReadNotFound.
func (e *Error) Is(target error) bool {
	if t, ok := target.(*Error); ok {
		return (t.Code == "" || t.Code == e.Code) && (t.Op == "" || t.Op == e.Op)
	}
	switch target {
	case fs.ErrNotExist:
		return e.Code == CodeReadNotFound || e.Code == CodeRootNotFound
	case fs.ErrExist:
		return e.Code == CodeAlreadyExists
	case fs.ErrPermission:
		return e.Code == CodePermissionDenied || e.Code == CodePathEscape
	case fs.ErrInvalid:
		return e.Code == CodeInvalidPath || e.Code == CodeInvalidRequest
	}
	return false
}

// Sentinels for errors.Is. They match any *Error of their code.
var (
	ErrExecTimeout      = &Error{Code: CodeExecTimeout}
	ErrExecTransport    = &Error{Code: CodeExecTransport}
	ErrExecNonzero      = &Error{Code: CodeExecNonzero}
	ErrNotFound         = &Error{Code: CodeReadNotFound}
	ErrWriteType        = &Error{Code: CodeWriteTypeError}
	ErrPathEscape       = &Error{Code: CodePathEscape}
	ErrInvalidPath      = &Error{Code: CodeInvalidPath}
	ErrNotEmpty         = &Error{Code: CodeNotEmpty}
	ErrAlreadyExists    = &Error{Code: CodeAlreadyExists}
	ErrSessionClosed    = &Error{Code: CodeSessionClosed}
	ErrUnsupported      = &Error{Code: CodeUnsupported}
	ErrPermissionDenied = &Error{Code: CodePermissionDenied}
	ErrInvalidManifest  = &Error{Code: CodeInvalidManifest}
	ErrPluginError      = &Error{Code: CodePluginError}
)

// Errorf-free constructors keep call sites short.

// NewError returns an *Error with the given fields.
func NewError(code Code, op, target string, cause error) *Error {
	return &Error{Code: code, Op: op, Target: target, Err: cause}
}

// CodeOf returns the Code of the first *Error in err's chain, or "" if none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// FromFSError maps a filesystem error (an *fs.PathError or one of the io/fs
// sentinels, possibly wrapped) to an *Error for op on target. Unknown causes
// get fallback. It returns nil for a nil err and returns an existing *Error
// unchanged.
func FromFSError(op, target string, err error, fallback Code) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	code := fallback
	switch {
	case errors.Is(err, syscall.ENOTEMPTY): // before ErrExist: Go maps ENOTEMPTY to it
		code = CodeNotEmpty
	case errors.Is(err, fs.ErrNotExist):
		code = CodeReadNotFound
	case errors.Is(err, fs.ErrExist):
		code = CodeAlreadyExists
	case errors.Is(err, fs.ErrPermission):
		code = CodePermissionDenied
	case errors.Is(err, fs.ErrInvalid):
		code = CodeInvalidPath
	case errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.ENOTDIR):
		code = CodeWriteTypeError
	}
	return &Error{Code: code, Op: op, Target: target, Err: err}
}
