package snapshot

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/wsbx/wsbx/providers"
)

// Error categories. Every error the Store returns for an ordinary failure is
// a [*providers.Error] (code snapshot_error, snapshot_restore_error or
// workspace_archive_error) whose cause wraps one of these, so callers branch
// with errors.Is on either.
var (
	// ErrNotFound means no committed layer has the given ID. It also matches
	// fs.ErrNotExist.
	ErrNotFound error = &category{msg: "snapshot not found", is: fs.ErrNotExist}
	// ErrCorrupt means a blob or metadata file on disk is truncated, does not
	// match its digest, or cannot be parsed. Other snapshots stay usable.
	ErrCorrupt error = &category{msg: "snapshot data is corrupt"}
	// ErrInUse means a layer cannot be removed because another layer has it
	// as its parent.
	ErrInUse error = &category{msg: "snapshot is the parent of another snapshot"}
	// ErrInvalidID means a string is not a well-formed snapshot ID.
	ErrInvalidID error = &category{msg: "invalid snapshot id", is: fs.ErrInvalid}
	// ErrUnsafeMember means an archive member would leave the extraction
	// root: an absolute or ".." name, a symlink or hardlink pointing outside,
	// a write through a symlink, or a whiteout name.
	ErrUnsafeMember error = &category{msg: "archive member escapes the root"}
	// ErrUnsupportedMember means an archive member has a type that a
	// workspace cannot hold (device, FIFO, ...).
	ErrUnsupportedMember error = &category{msg: "unsupported archive member type"}
	// ErrLimit means an archive exceeded one of its [Limits].
	ErrLimit error = &category{msg: "archive limit exceeded"}
)

// category is the type of the sentinel errors above. It optionally matches
// an io/fs sentinel as well.
type category struct {
	msg string
	is  error
}

func (c *category) Error() string { return c.msg }

func (c *category) Is(target error) bool { return c.is != nil && target == c.is }

// detail returns a cause that wraps cat and adds a message.
func detail(cat error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", cat, fmt.Sprintf(format, args...))
}

// wrap returns err unchanged if it already is a *providers.Error, and wraps
// it in one with the given code otherwise.
func wrap(code providers.Code, op, target string, err error) error {
	if err == nil {
		return nil
	}
	var pe *providers.Error
	if errors.As(err, &pe) {
		return err
	}
	return &providers.Error{Code: code, Op: op, Target: target, Err: err}
}
