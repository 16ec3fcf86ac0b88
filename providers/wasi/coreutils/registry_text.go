package coreutils

// registerTextUtils registers the text-processing utilities.
func registerTextUtils(s *Set) {
	for name, c := range map[string]Command{
		"grep": grep, "egrep": grep, "fgrep": grep,
		"sort": sortCmd, "uniq": uniq, "cut": cut, "tr": tr,
		"paste": paste, "comm": comm, "nl": nl, "rev": rev, "tac": tac,
		"fold": fold, "expand": expand, "unexpand": unexpand,
		"column": column, "join": join, "sed": sed, "jq": jq, "awk": awk, "xargs": xargs, "diff": diff,
		"xxd": xxd, "hexdump": hexdump, "hd": hexdump, "od": od, "shuf": shuf,
	} {
		s.Register(name, c)
	}
}
