//go:build wasip1

package wsbxplugin

import (
	"bytes"
	"context"
	"io/fs"
	"strconv"
	"sync"
	"time"

	pdk "github.com/extism/go-pdk"

	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
)

// Provider is what a provider plugin implements. session is the ID that
// Create returned. Return a *providers.Error to give the host a code.
//
// Exec runs under ctx, which ends when the host cancels a streamed command
// (HandleExecCancel). When the host streams (HandleExecStart),
// req.Stdout and req.Stderr are set and Exec writes the output there as the
// command produces it, and in its result as well.
type Provider interface {
	Create(spec providers.SessionSpec) (session string, err error)
	Exec(ctx context.Context, session string, req providers.ExecRequest) (*providers.ExecResult, error)
	ReadFile(session, path string) ([]byte, error)
	WriteFile(session, path string, data []byte, mode fs.FileMode) error
	List(session, path string) ([]providers.FileInfo, error)
	Stat(session, path string) (providers.FileInfo, error)
	Remove(session, path string, recursive bool) error
	Mkdir(session, path string, parents bool) error
	Close(session string) error
}

// call decodes the input into a fresh In, runs f and writes its output.
func call[In any, Out any](f func(In) (Out, error)) int32 {
	var in In
	if err := pdk.InputJSON(&in); err != nil {
		return fail(err)
	}
	out, err := f(in)
	if err != nil {
		return fail(err)
	}
	return output(out)
}

type empty struct{}

// HandleCreate answers the create export.
func HandleCreate(p Provider) int32 {
	return call(func(spec providers.SessionSpec) (abi.SessionRef, error) {
		id, err := p.Create(spec)
		return abi.SessionRef{Session: id}, err
	})
}

// HandleExec answers the exec export: the command runs to its end within
// the call, and the host gets its output at the end.
func HandleExec(p Provider) int32 {
	return call(func(c abi.ExecCall) (*providers.ExecResult, error) {
		return p.Exec(context.Background(), c.Session, c.Request)
	})
}

// A running is a command started by exec_start. Its goroutine runs only
// while the plugin is inside a call, which the host's polls provide.
type running struct {
	mu             sync.Mutex
	stdout, stderr bytes.Buffer  // written since the last poll
	wake           chan struct{} // output or the end, for a waiting poll
	done           chan struct{}
	res            *providers.ExecResult
	err            error
	cancel         context.CancelFunc
}

// chunkWriter appends to one of a running's buffers.
type chunkWriter struct {
	r   *running
	buf *bytes.Buffer
}

func (w chunkWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	w.buf.Write(p)
	w.r.mu.Unlock()
	select {
	case w.r.wake <- struct{}{}:
	default:
	}
	return len(p), nil
}

var (
	execs    = map[string]*running{}
	nextExec int
)

// maxPollWait bounds how long a poll may wait, whatever the host asks.
const maxPollWait = time.Second

func findExec(id string) (*running, error) {
	r, ok := execs[id]
	if !ok {
		return nil, &providers.Error{Code: providers.CodeInvalidRequest, Op: abi.ExportExecPoll, Target: id, Message: "no such command"}
	}
	return r, nil
}

// HandleExecStart answers the exec_start export: it starts the command and
// returns its id at once. Register it with HandleExecPoll and
// HandleExecCancel; the host then streams the command's output.
func HandleExecStart(p Provider) int32 {
	return call(func(c abi.ExecCall) (abi.ExecRef, error) {
		ctx, cancel := context.WithCancel(context.Background())
		r := &running{wake: make(chan struct{}, 1), done: make(chan struct{}), cancel: cancel}
		req := c.Request
		req.Stdout, req.Stderr = chunkWriter{r, &r.stdout}, chunkWriter{r, &r.stderr}
		nextExec++
		id := "x" + strconv.Itoa(nextExec)
		execs[id] = r
		go func() {
			defer close(r.done)
			defer cancel()
			r.res, r.err = p.Exec(ctx, c.Session, req)
		}()
		return abi.ExecRef{Exec: id}, nil
	})
}

// HandleExecPoll answers the exec_poll export: it lets the command run
// until it writes, ends, or the wait is over, and returns what it wrote.
func HandleExecPoll() int32 {
	return call(func(c abi.ExecPoll) (abi.ExecChunk, error) {
		r, err := findExec(c.Exec)
		if err != nil {
			return abi.ExecChunk{}, err
		}
		wait := min(time.Duration(c.WaitMS)*time.Millisecond, maxPollWait)
		r.mu.Lock()
		idle := r.stdout.Len() == 0 && r.stderr.Len() == 0
		r.mu.Unlock()
		if idle {
			t := time.NewTimer(wait)
			select {
			case <-r.wake:
			case <-r.done:
			case <-t.C:
			}
			t.Stop()
		}
		var ch abi.ExecChunk
		select {
		case <-r.done:
			ch.Done, ch.Result = true, r.res
			if r.err != nil {
				ch.Error = asError(r.err)
			}
			delete(execs, c.Exec)
		default:
		}
		r.mu.Lock()
		ch.Stdout, ch.Stderr = bytes.Clone(r.stdout.Bytes()), bytes.Clone(r.stderr.Bytes())
		r.stdout.Reset()
		r.stderr.Reset()
		r.mu.Unlock()
		return ch, nil
	})
}

// HandleExecCancel answers the exec_cancel export: the command's context
// ends, and a later poll reports how it ended.
func HandleExecCancel() int32 {
	return call(func(c abi.ExecRef) (empty, error) {
		r, err := findExec(c.Exec)
		if err == nil {
			r.cancel()
		}
		return empty{}, err
	})
}

// HandleReadFile answers the read_file export.
func HandleReadFile(p Provider) int32 {
	return call(func(c abi.PathCall) (abi.Data, error) {
		b, err := p.ReadFile(c.Session, c.Path)
		return abi.Data{Data: b}, err
	})
}

// HandleWriteFile answers the write_file export.
func HandleWriteFile(p Provider) int32 {
	c, err := decodeWriteCall(pdk.Input())
	if err != nil {
		return fail(err)
	}
	if err := p.WriteFile(c.Session, c.Path, c.Data, c.Mode); err != nil {
		return fail(err)
	}
	return output(empty{})
}

// HandleList answers the list export.
func HandleList(p Provider) int32 {
	return call(func(c abi.PathCall) (abi.Entries, error) {
		e, err := p.List(c.Session, c.Path)
		return abi.Entries{Entries: e}, err
	})
}

// HandleStat answers the stat export.
func HandleStat(p Provider) int32 {
	return call(func(c abi.PathCall) (providers.FileInfo, error) {
		return p.Stat(c.Session, c.Path)
	})
}

// HandleRemove answers the remove export.
func HandleRemove(p Provider) int32 {
	return call(func(c abi.RemoveCall) (empty, error) {
		return empty{}, p.Remove(c.Session, c.Path, c.Recursive)
	})
}

// HandleMkdir answers the mkdir export.
func HandleMkdir(p Provider) int32 {
	return call(func(c abi.MkdirCall) (empty, error) {
		return empty{}, p.Mkdir(c.Session, c.Path, c.Parents)
	})
}

// HandleClose answers the close export.
func HandleClose(p Provider) int32 {
	return call(func(c abi.SessionRef) (empty, error) {
		return empty{}, p.Close(c.Session)
	})
}

// Snapshotter is implemented by a provider that freezes a session's
// workspace under an id and starts new sessions from it (the optional
// snapshot and restore exports).
type Snapshotter interface {
	Snapshot(session string) (id string, err error)
	Restore(id string, spec providers.SessionSpec) (session string, err error)
}

// HandleSnapshot answers the snapshot export.
func HandleSnapshot(p Snapshotter) int32 {
	return call(func(c abi.SessionRef) (abi.SnapshotID, error) {
		id, err := p.Snapshot(c.Session)
		return abi.SnapshotID{ID: id}, err
	})
}

// HandleRestore answers the restore export.
func HandleRestore(p Snapshotter) int32 {
	return call(func(c abi.RestoreCall) (abi.SessionRef, error) {
		id, err := p.Restore(c.ID, c.Spec)
		return abi.SessionRef{Session: id}, err
	})
}

// Archiver is implemented by a provider that exports a session's workspace
// as the portable archive (a tar stream, see providers.Archiver) and unpacks
// one into it (the optional export_archive and import_archive exports).
type Archiver interface {
	ExportArchive(session string) ([]byte, error)
	ImportArchive(session string, archive []byte) error
}

// HandleExportArchive answers the export_archive export.
func HandleExportArchive(p Archiver) int32 {
	return call(func(c abi.SessionRef) (abi.Data, error) {
		b, err := p.ExportArchive(c.Session)
		return abi.Data{Data: b}, err
	})
}

// HandleImportArchive answers the import_archive export.
func HandleImportArchive(p Archiver) int32 {
	c, err := decodeArchiveCall(pdk.Input())
	if err != nil {
		return fail(err)
	}
	if err := p.ImportArchive(c.Session, c.Data); err != nil {
		return fail(err)
	}
	return output(empty{})
}
