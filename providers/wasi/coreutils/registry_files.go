package coreutils

// registerFileUtils registers the file and system utilities.
func registerFileUtils(s *Set) {
	for name, c := range map[string]Command{
		"sha512sum": cmdHashsum,
		"sha384sum": cmdHashsum,
		"sha256sum": cmdHashsum,
		"sha224sum": cmdHashsum,
		"sha1sum":   cmdHashsum,
		"md5sum":    cmdHashsum,
		"base64":    cmdBase64,
		"zcat":      cmdGzip,
		"gunzip":    cmdGzip,
		"gzip":      cmdGzip,
		"tar":       cmdTar,
		"false":     cmdFalse,
		"true":      cmdTrue,
		"find":      cmdFind,
		"du":        cmdDu,
		"stat":      cmdStat,
		"cat":       cmdCat,
		"mkdir":     cmdMkdir,
		"rmdir":     cmdRmdir,
		"rm":        cmdRm,
		"cp":        cmdCp,
		"mv":        cmdMv,
		"ln":        cmdLn,
		"touch":     cmdTouch,
		"chmod":     cmdChmod,
		"ls":        cmdLs,
		"head":      cmdHead,
		"tail":      cmdTail,
		"wc":        cmdWc,
	} {
		s.Register(name, c)
	}
}
