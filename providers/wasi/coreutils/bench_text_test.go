package coreutils

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/afero"
)

// BenchmarkTextPipeline runs the stages of `grep x f | sort | uniq -c` on a
// 100-line file in memory, one after the other.
func BenchmarkTextPipeline(b *testing.B) {
	fsys := afero.NewMemMapFs()
	var data strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&data, "line %d %s\n", i%17, strings.Repeat("x", i%3))
	}
	afero.WriteFile(fsys, "/f", []byte(data.String()), 0o644)
	set := Default()
	grepC, _ := set.Lookup("grep")
	sortC, _ := set.Lookup("sort")
	uniqC, _ := set.Lookup("uniq")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var o1, o2, o3, errb bytes.Buffer
		env := &Env{FS: fsys, Dir: "/", Stdin: strings.NewReader(""), Stdout: &o1, Stderr: &errb}
		grepC(ctx, env, []string{"grep", "x", "f"})
		env.Stdin, env.Stdout = &o1, &o2
		sortC(ctx, env, []string{"sort"})
		env.Stdin, env.Stdout = &o2, &o3
		uniqC(ctx, env, []string{"uniq", "-c"})
		if o3.Len() == 0 {
			b.Fatal("no output")
		}
	}
}

// BenchmarkAwkSum runs a small awk program over 100 lines.
func BenchmarkAwkSum(b *testing.B) {
	var data strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&data, "k%d %d\n", i%7, i)
	}
	input := data.String()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var out, errb bytes.Buffer
		env := &Env{FS: afero.NewMemMapFs(), Dir: "/", Stdin: strings.NewReader(input), Stdout: &out, Stderr: &errb}
		awk(ctx, env, []string{"awk", "{s[$1] += $2} END {for (k in s) print k, s[k]}"})
	}
}
