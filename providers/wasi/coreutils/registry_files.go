package coreutils

// registerFileUtils registers the file and system utilities.
func registerFileUtils(s *Set) {
	for name, c := range map[string]Command{
		"false": cmdFalse,
		"true":  cmdTrue,
		"find":  cmdFind,
		"du":    cmdDu,
		"stat":  cmdStat,
		"cat":   cmdCat,
		"mkdir": cmdMkdir,
		"rmdir": cmdRmdir,
		"rm":    cmdRm,
		"cp":    cmdCp,
		"mv":    cmdMv,
		"ln":    cmdLn,
		"touch": cmdTouch,
		"chmod": cmdChmod,
		"ls":    cmdLs,
		"head":  cmdHead,
		"tail":  cmdTail,
		"wc":    cmdWc,
	} {
		s.Register(name, c)
	}
}
