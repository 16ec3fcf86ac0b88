package runtime

import (
	"context"

	"github.com/wsbx/wsbx/providers"
)

// Session is a live sandbox created by a Runtime. It has every method of
// [providers.Session] and is safe for concurrent use when the provider's
// sessions are (the wasi provider's are). Optional powers (snapshots,
// archives) are found on [Session.Unwrap] by type assertion.
type Session struct {
	providers.Session
	rt       *Runtime
	provider string
}

// Provider returns the name of the provider the session runs on.
func (s *Session) Provider() string { return s.provider }

// Unwrap returns the provider's session.
func (s *Session) Unwrap() providers.Session { return s.Session }

// Close closes the session and forgets it in its Runtime. It is idempotent.
func (s *Session) Close(ctx context.Context) error {
	s.rt.forget(s)
	return s.Session.Close(ctx)
}
