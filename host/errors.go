package host

import "errors"

// Exit statuses that Run returns when the guest did not choose one. They
// follow the conventions of shells and timeout(1).
const (
	ExitTimeout     = 124 // the run's context deadline passed
	ExitCanceled    = 130 // the run's context was canceled (128+SIGINT)
	ExitTrap        = 134 // the guest trapped (128+SIGABRT)
	ExitMemoryLimit = 137 // the guest was refused memory and failed (128+SIGKILL, as an OOM kill)
)

var (
	// ErrClosed is returned by a Host that has been closed.
	ErrClosed = errors.New("host: closed")

	// ErrMemoryLimit matches the error of a run whose guest asked for more
	// linear memory than its limit and then failed.
	ErrMemoryLimit = errors.New("host: guest exceeded its memory limit")

	// ErrTrap matches the error of a run whose guest trapped (unreachable,
	// out-of-bounds memory access, stack overflow, ...).
	ErrTrap = errors.New("host: guest trapped")

	// ErrForeignModule is returned by Run for a Module compiled by another
	// Host.
	ErrForeignModule = errors.New("host: module was compiled by another host")
)
