//go:build wasip1

package wsbxplugin

import (
	"encoding/json"
	"io/fs"

	pdk "github.com/extism/go-pdk"

	"github.com/wsbx/wsbx/plugins/abi"
)

// Workspace writes into the entry's destination through the host. Paths are
// relative to the destination; the host refuses any that leave it.
type Workspace struct{}

// WriteFile creates or replaces a file (mode 0 means 0o644).
func (Workspace) WriteFile(path string, data []byte, mode fs.FileMode) error {
	_, err := hostCall(hostFSWrite, abi.FSRequest{Path: path, Data: data, Mode: mode})
	return err
}

// Mkdir creates a directory and its parents.
func (Workspace) Mkdir(path string) error {
	_, err := hostCall(hostFSMkdir, abi.FSRequest{Path: path})
	return err
}

// ReadFile reads a file written earlier under the destination.
func (Workspace) ReadFile(path string) ([]byte, error) {
	raw, err := hostCall(hostFSRead, abi.FSRequest{Path: path})
	if err != nil {
		return nil, err
	}
	var d abi.Data
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	return d.Data, nil
}

// Materialize answers an entry plugin's materialize export with fill.
func Materialize(fill func(req MaterializeRequest, ws Workspace) (MaterializeResult, error)) int32 {
	var req MaterializeRequest
	if err := pdk.InputJSON(&req); err != nil {
		return fail(err)
	}
	res, err := fill(req, Workspace{})
	if err != nil {
		return fail(err)
	}
	return output(res)
}
