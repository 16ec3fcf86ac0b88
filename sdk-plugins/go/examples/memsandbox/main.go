// Command memsandbox is a provider plugin whose sandboxes live in the
// plugin's own memory: each session is an in-memory workspace with wsbx's
// POSIX shell and built-in utilities (the wasi provider, compiled into the
// plugin). It shows that a whole provider can ship as one Wasm module.
package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"strconv"

	"github.com/wsbx/wsbx/providers"
	"github.com/wsbx/wsbx/providers/wasi"
	wsbxplugin "github.com/wsbx/wsbx/sdk-plugins/go"
)

func main() {}

//go:wasmexport wsbx_describe
func describe() int32 {
	return wsbxplugin.Describe(wsbxplugin.Info{Kind: "provider", Name: "memsandbox", Version: "0.1.0"})
}

// sandbox implements wsbxplugin.Provider, Archiver and Snapshotter over
// in-memory wasi sessions. A snapshot is the portable archive of the
// workspace, kept in the plugin's memory.
type sandbox struct {
	provider  *wasi.Provider
	sessions  map[string]providers.Session
	snapshots map[string][]byte
	next      int
}

var sb = &sandbox{provider: wasi.New(), sessions: map[string]providers.Session{}, snapshots: map[string][]byte{}}

func (s *sandbox) session(id string) (providers.Session, error) {
	sess, ok := s.sessions[id]
	if !ok {
		return nil, &providers.Error{Code: providers.CodeSessionClosed, Target: id, Message: "no such session"}
	}
	return sess, nil
}

func (s *sandbox) Create(spec providers.SessionSpec) (string, error) {
	sess, err := s.provider.Create(context.Background(), spec)
	if err != nil {
		return "", err
	}
	return s.add(sess), nil
}

func (s *sandbox) add(sess providers.Session) string {
	s.next++
	id := "s" + strconv.Itoa(s.next)
	s.sessions[id] = sess
	return id
}

func (s *sandbox) ExportArchive(id string) ([]byte, error) {
	sess, err := s.session(id)
	if err != nil {
		return nil, err
	}
	var archive bytes.Buffer
	if err := sess.(providers.Archiver).ExportArchive(context.Background(), &archive); err != nil {
		return nil, err
	}
	return archive.Bytes(), nil
}

func (s *sandbox) ImportArchive(id string, archive []byte) error {
	sess, err := s.session(id)
	if err != nil {
		return err
	}
	return sess.(providers.Archiver).ImportArchive(context.Background(), bytes.NewReader(archive))
}

func (s *sandbox) Snapshot(id string) (string, error) {
	archive, err := s.ExportArchive(id)
	if err != nil {
		return "", err
	}
	s.next++
	snap := "snap" + strconv.Itoa(s.next)
	s.snapshots[snap] = archive
	return snap, nil
}

func (s *sandbox) Restore(snap string, spec providers.SessionSpec) (string, error) {
	archive, ok := s.snapshots[snap]
	if !ok {
		return "", &providers.Error{Code: providers.CodeSnapshotRestoreError, Target: snap, Message: "no such snapshot"}
	}
	sess, err := s.provider.Create(context.Background(), spec)
	if err != nil {
		return "", err
	}
	if err := sess.(providers.Archiver).ImportArchive(context.Background(), bytes.NewReader(archive)); err != nil {
		sess.Close(context.Background())
		return "", err
	}
	return s.add(sess), nil
}

func (s *sandbox) Exec(ctx context.Context, id string, req providers.ExecRequest) (*providers.ExecResult, error) {
	sess, err := s.session(id)
	if err != nil {
		return nil, err
	}
	if req.StdinData != nil {
		req.Stdin = bytes.NewReader(req.StdinData)
	}
	return sess.Exec(ctx, req)
}

func (s *sandbox) ReadFile(id, path string) ([]byte, error) {
	sess, err := s.session(id)
	if err != nil {
		return nil, err
	}
	rc, err := sess.ReadFile(context.Background(), path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (s *sandbox) WriteFile(id, path string, data []byte, mode fs.FileMode) error {
	sess, err := s.session(id)
	if err != nil {
		return err
	}
	return sess.WriteFile(context.Background(), path, bytes.NewReader(data), mode)
}

func (s *sandbox) List(id, path string) ([]providers.FileInfo, error) {
	sess, err := s.session(id)
	if err != nil {
		return nil, err
	}
	return sess.List(context.Background(), path)
}

func (s *sandbox) Stat(id, path string) (providers.FileInfo, error) {
	sess, err := s.session(id)
	if err != nil {
		return providers.FileInfo{}, err
	}
	return sess.Stat(context.Background(), path)
}

func (s *sandbox) Remove(id, path string, recursive bool) error {
	sess, err := s.session(id)
	if err != nil {
		return err
	}
	return sess.Remove(context.Background(), path, recursive)
}

func (s *sandbox) Mkdir(id, path string, parents bool) error {
	sess, err := s.session(id)
	if err != nil {
		return err
	}
	return sess.Mkdir(context.Background(), path, parents)
}

func (s *sandbox) Close(id string) error {
	sess, ok := s.sessions[id]
	if !ok {
		return nil
	}
	delete(s.sessions, id)
	return sess.Close(context.Background())
}

//go:wasmexport create
func create() int32 { return wsbxplugin.HandleCreate(sb) }

//go:wasmexport exec
func exec() int32 { return wsbxplugin.HandleExec(sb) }

// The three exports that let the host stream a command's output and cancel
// it.

//go:wasmexport exec_start
func execStart() int32 { return wsbxplugin.HandleExecStart(sb) }

//go:wasmexport exec_poll
func execPoll() int32 { return wsbxplugin.HandleExecPoll() }

//go:wasmexport exec_cancel
func execCancel() int32 { return wsbxplugin.HandleExecCancel() }

//go:wasmexport snapshot
func snapshot() int32 { return wsbxplugin.HandleSnapshot(sb) }

//go:wasmexport restore
func restore() int32 { return wsbxplugin.HandleRestore(sb) }

//go:wasmexport export_archive
func exportArchive() int32 { return wsbxplugin.HandleExportArchive(sb) }

//go:wasmexport import_archive
func importArchive() int32 { return wsbxplugin.HandleImportArchive(sb) }

//go:wasmexport read_file
func readFile() int32 { return wsbxplugin.HandleReadFile(sb) }

//go:wasmexport write_file
func writeFile() int32 { return wsbxplugin.HandleWriteFile(sb) }

//go:wasmexport list
func list() int32 { return wsbxplugin.HandleList(sb) }

//go:wasmexport stat
func stat() int32 { return wsbxplugin.HandleStat(sb) }

//go:wasmexport remove
func remove() int32 { return wsbxplugin.HandleRemove(sb) }

//go:wasmexport mkdir
func mkdir() int32 { return wsbxplugin.HandleMkdir(sb) }

//go:wasmexport close
func closeSession() int32 { return wsbxplugin.HandleClose(sb) }
