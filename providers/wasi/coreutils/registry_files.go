package coreutils

// registerFileUtils registers the file and system utilities.
func registerFileUtils(s *Set) {
}
