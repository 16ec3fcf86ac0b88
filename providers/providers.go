package providers

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"strconv"
	"time"
)

// DefaultRoot is the workspace root used when a SessionSpec leaves Root empty.
const DefaultRoot = "/workspace"

// DefaultMaxOutputBytes caps each of stdout and stderr of one exec unless the
// request or the session limits say otherwise.
const DefaultMaxOutputBytes = 10 << 20

// Provider creates sessions on one backend.
//
// Implementations are safe for concurrent use.
type Provider interface {
	// Name is the provider's registered name ("wasi", "docker", ...).
	Name() string
	// Create starts a new session. The returned session owns its resources
	// until Close.
	//
	// # Errors
	//
	// CodeSessionCreateError when the backend cannot start a session;
	// CodeInvalidRequest for a malformed spec.
	Create(ctx context.Context, spec SessionSpec) (Session, error)
}

// Session is one live sandbox.
//
// Unless an implementation documents otherwise, every method is safe for
// concurrent use; execs run concurrently and see one shared workspace. After
// Close, every method fails with CodeSessionClosed and Close itself returns nil.
type Session interface {
	// Exec runs one command. A command that exits non-zero is not an error:
	// the exit code is in the result (use ExecResult.Check to turn it into
	// one). A command stopped by its timeout returns the partial result and
	// an error with CodeExecTimeout.
	Exec(ctx context.Context, req ExecRequest) (*ExecResult, error)
	// ReadFile opens a workspace file for reading. The caller closes it.
	//
	// # Errors
	//
	// CodeReadNotFound when the file is missing, CodeWriteTypeError when it
	// is a directory, CodePathEscape for a path outside the root.
	ReadFile(ctx context.Context, path string) (io.ReadCloser, error)
	// WriteFile creates or replaces a workspace file with the content of r,
	// creating missing parent directories. mode 0 means 0o644.
	//
	// # Errors
	//
	// CodeWriteTypeError when path is a directory, CodePathEscape for a
	// path outside the root.
	WriteFile(ctx context.Context, path string, r io.Reader, mode fs.FileMode) error
	// List returns the entries of a workspace directory, sorted by name.
	List(ctx context.Context, path string) ([]FileInfo, error)
	// Stat describes one workspace path without following a final symlink.
	Stat(ctx context.Context, path string) (FileInfo, error)
	// Remove deletes a file or an empty directory; with recursive it deletes
	// a directory tree. Removing a missing path gives CodeReadNotFound.
	Remove(ctx context.Context, path string, recursive bool) error
	// Mkdir creates a directory; with parents it creates missing parents and
	// succeeds when the directory already exists.
	Mkdir(ctx context.Context, path string, parents bool) error
	// Close releases the session. It is idempotent.
	Close(ctx context.Context) error
}

// SessionSpec says what a new session is.
type SessionSpec struct {
	// Root is the absolute workspace root inside the sandbox (DefaultRoot
	// when empty).
	Root string `json:"root,omitempty"`
	// Env is the base environment of every exec. Values may be secrets: a
	// provider never logs them or puts them in errors or session state.
	Env map[string]string `json:"env,omitempty"`
	// Limits bound what the session may consume.
	Limits Limits `json:"limits,omitempty"`
	// Network grants outbound network access. Deny by default.
	Network *NetworkGrant `json:"network,omitempty"`
	// Options are provider-specific settings (an image name, a template...).
	Options json.RawMessage `json:"options,omitempty"`
	// Labels are free-form tags a provider may attach to its resources.
	Labels map[string]string `json:"labels,omitempty"`
}

// RootOrDefault returns s.Root, or DefaultRoot when it is empty.
func (s SessionSpec) RootOrDefault() string {
	if s.Root == "" {
		return DefaultRoot
	}
	return s.Root
}

// Limits bound a session. Zero means the provider's default.
type Limits struct {
	// ExecTimeout applies to execs whose request sets no timeout.
	ExecTimeout time.Duration `json:"exec_timeout,omitempty"`
	// MemoryBytes caps memory (for wasi, each guest's linear memory).
	MemoryBytes int64 `json:"memory_bytes,omitempty"`
	// CPUs caps CPU time as a number of cores (container providers).
	CPUs float64 `json:"cpus,omitempty"`
	// PIDs caps the number of processes (container providers).
	PIDs int64 `json:"pids,omitempty"`
	// MaxOutputBytes caps each of stdout and stderr per exec
	// (DefaultMaxOutputBytes when zero).
	MaxOutputBytes int64 `json:"max_output_bytes,omitempty"`
	// DiskBytes caps the workspace size where the backend can enforce it.
	DiskBytes int64 `json:"disk_bytes,omitempty"`
}

// Or returns l with each zero field taken from def.
func (l Limits) Or(def Limits) Limits {
	if l.ExecTimeout == 0 {
		l.ExecTimeout = def.ExecTimeout
	}
	if l.MemoryBytes == 0 {
		l.MemoryBytes = def.MemoryBytes
	}
	if l.CPUs == 0 {
		l.CPUs = def.CPUs
	}
	if l.PIDs == 0 {
		l.PIDs = def.PIDs
	}
	if l.MaxOutputBytes == 0 {
		l.MaxOutputBytes = def.MaxOutputBytes
	}
	if l.DiskBytes == 0 {
		l.DiskBytes = def.DiskBytes
	}
	return l
}

// NetworkGrant lists what a session may reach. An empty grant allows nothing.
type NetworkGrant struct {
	// AllowAll grants unrestricted outbound access.
	AllowAll bool `json:"allow_all,omitempty"`
	// Hosts are host names or host:port patterns that may be reached.
	Hosts []string `json:"hosts,omitempty"`
}

// ExecRequest is one command to run. Exactly one of Command and Argv is set.
type ExecRequest struct {
	// Command is a shell command line, run by the session's POSIX shell.
	Command string `json:"command,omitempty"`
	// Argv runs a program directly, without a shell.
	Argv []string `json:"argv,omitempty"`
	// Env adds to (and overrides) the session environment.
	Env map[string]string `json:"env,omitempty"`
	// Cwd is the working directory, relative to the workspace root or
	// absolute under it (the root when empty).
	Cwd string `json:"cwd,omitempty"`
	// Stdin, when set, is the command's standard input.
	Stdin io.Reader `json:"-"`
	// StdinData is standard input as bytes, used when Stdin is nil (this is
	// how stdin crosses the plugin ABI).
	StdinData []byte `json:"stdin,omitempty"`
	// Stdout and Stderr, when set, receive output as it is produced, in
	// addition to the capture in ExecResult.
	Stdout io.Writer `json:"-"`
	Stderr io.Writer `json:"-"`
	// Timeout bounds the command (the session's ExecTimeout when zero; no
	// bound when both are zero). In JSON it is nanoseconds.
	Timeout time.Duration `json:"timeout,omitempty"`
	// MaxOutputBytes caps each of stdout and stderr; a command passing the
	// cap is stopped and its result marked truncated.
	MaxOutputBytes int64 `json:"max_output_bytes,omitempty"`
}

// ExecResult is what a finished command produced.
type ExecResult struct {
	Stdout          []byte        `json:"stdout"`
	Stderr          []byte        `json:"stderr"`
	ExitCode        int           `json:"exit_code"`
	Duration        time.Duration `json:"duration"`
	StdoutTruncated bool          `json:"stdout_truncated,omitempty"`
	StderrTruncated bool          `json:"stderr_truncated,omitempty"`
}

// Check returns an *Error with CodeExecNonzero when the command exited
// non-zero, and nil otherwise. target names the command in the error.
func (r *ExecResult) Check(target string) error {
	if r.ExitCode == 0 {
		return nil
	}
	return &Error{Code: CodeExecNonzero, Op: "exec", Target: target,
		Message: "exit status " + strconv.Itoa(r.ExitCode)}
}

// FileInfo describes one workspace entry.
type FileInfo struct {
	// Name is the base name; Path is workspace-relative with forward slashes.
	Name    string      `json:"name"`
	Path    string      `json:"path"`
	Size    int64       `json:"size"`
	Mode    fs.FileMode `json:"mode"`
	ModTime time.Time   `json:"mod_time"`
	// LinkTarget is set for symlinks.
	LinkTarget string `json:"link_target,omitempty"`
}

// IsDir reports whether the entry is a directory.
func (fi FileInfo) IsDir() bool { return fi.Mode.IsDir() }

// Archiver is implemented by sessions that export and import the portable
// workspace archive: a tar of the workspace root with workspace-relative
// members (regular files, directories and symlinks with their modes and
// modification times). An archive exported by one provider imports into any
// other.
type Archiver interface {
	// ExportArchive writes the workspace as a tar stream to w.
	ExportArchive(ctx context.Context, w io.Writer) error
	// ImportArchive unpacks a tar stream into the workspace, replacing
	// files with the same names. Members that escape the root are refused
	// with CodeArchiveError.
	ImportArchive(ctx context.Context, r io.Reader) error
}

// Snapshotter is implemented by sessions with native snapshots.
type Snapshotter interface {
	// Snapshot freezes the workspace and returns a reference that Restore
	// (on the same provider) accepts.
	Snapshot(ctx context.Context) (SnapshotRef, error)
}

// Restorer is implemented by providers that start sessions from a native
// snapshot.
type Restorer interface {
	Restore(ctx context.Context, ref SnapshotRef, spec SessionSpec) (Session, error)
}

// SnapshotRef names a native snapshot.
type SnapshotRef struct {
	Provider string `json:"provider"`
	ID       string `json:"id"`
}

// Stater is implemented by sessions whose state can be saved and resumed by a
// later process. The state never contains secrets.
type Stater interface {
	State(ctx context.Context) (json.RawMessage, error)
}

// Resumer is implemented by providers that resume a session from its state.
type Resumer interface {
	Resume(ctx context.Context, state json.RawMessage, spec SessionSpec) (Session, error)
}
