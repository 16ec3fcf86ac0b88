//go:build wasip1

package wsbxplugin

import (
	"io/fs"

	pdk "github.com/extism/go-pdk"

	"github.com/wsbx/wsbx/plugins/abi"
	"github.com/wsbx/wsbx/providers"
)

// Provider is what a provider plugin implements. session is the ID that
// Create returned. Return a *providers.Error to give the host a code.
type Provider interface {
	Create(spec providers.SessionSpec) (session string, err error)
	Exec(session string, req providers.ExecRequest) (*providers.ExecResult, error)
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

// HandleExec answers the exec export.
func HandleExec(p Provider) int32 {
	return call(func(c abi.ExecCall) (*providers.ExecResult, error) {
		return p.Exec(c.Session, c.Request)
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
	return call(func(c abi.WriteCall) (empty, error) {
		return empty{}, p.WriteFile(c.Session, c.Path, c.Data, c.Mode)
	})
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
