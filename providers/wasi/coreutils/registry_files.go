package coreutils

// registerFileUtils registers the file and system utilities.
func registerFileUtils(s *Set) {
	for name, c := range map[string]Command{
		"cat":  cmdCat,
		"ls":   cmdLs,
		"head": cmdHead,
		"tail": cmdTail,
		"wc":   cmdWc,
	} {
		s.Register(name, c)
	}
}
