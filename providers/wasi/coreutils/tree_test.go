package coreutils

import "testing"

func TestTree(t *testing.T) {
	fsys := memTree(t, "/w", fixture{"a/": "", "a/b/": "", "a/b/c.go": "", "a/d.txt": "", "e.md": "", ".hidden": "", "z/": ""})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"tree"}, ".\n├── a\n│   ├── b\n│   │   └── c.go\n│   └── d.txt\n├── e.md\n└── z\n\n3 directories, 3 files\n"},
		{[]string{"tree", "-L", "1"}, ".\n├── a\n├── e.md\n└── z\n\n2 directories, 1 file\n"},
		{[]string{"tree", "-d", "a"}, "a\n└── b\n\n1 directory\n"},
		{[]string{"tree", "-a", "--noreport", "-L", "1"}, ".\n├── .hidden\n├── a\n├── e.md\n└── z\n"},
		{[]string{"tree", "-f", "-I", "b|z", "."}, ".\n├── ./a\n│   └── ./a/d.txt\n└── ./e.md\n\n1 directory, 2 files\n"},
		{[]string{"tree", "-P", "*.go", "--noreport", "a"}, "a\n└── b\n    └── c.go\n"},
		{[]string{"tree", "--dirsfirst", "-F", "--noreport", "a"}, "a\n├── b/\n│   └── c.go\n└── d.txt\n"},
		{[]string{"tree", "nosuch"}, "nosuch  [error opening dir]\n\n0 directories, 0 files\n"},
	} {
		r := runUtil(t, fsys, "/w", "", tt.args...)
		if r.out != tt.want {
			t.Errorf("%v:\n got %q\nwant %q", tt.args, r.out, tt.want)
		}
	}
}
