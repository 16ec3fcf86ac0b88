package coreutils

// registerTextUtils registers the text-processing utilities.
func registerTextUtils(s *Set) {
	s.Register("grep", grep)
	s.Register("egrep", grep)
	s.Register("fgrep", grep)
}
