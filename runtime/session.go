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
	raw      providers.Session // the provider's session, without policies
	id       string
	rt       *Runtime
	provider string
}

// ID is the session's name in policies and logs, unique in its Runtime.
func (s *Session) ID() string { return s.id }

// Provider returns the name of the provider the session runs on.
func (s *Session) Provider() string { return s.provider }

// Unwrap returns the provider's session. Its methods bypass the session's
// policies (capabilities): it is for the host, not for an agent.
func (s *Session) Unwrap() providers.Session { return s.raw }

// Close closes the session and forgets it in its Runtime. It is idempotent.
func (s *Session) Close(ctx context.Context) error {
	s.rt.forget(s)
	return s.Session.Close(ctx)
}
