package coreutils

// registerTextUtils registers the text-processing utilities.
func registerTextUtils(s *Set) {
}
