package manifest_test

import (
	"errors"
	"fmt"

	"github.com/wsbx/wsbx/manifest"
	"github.com/wsbx/wsbx/providers"
)

func ExampleParse() {
	m, err := manifest.Parse([]byte(`
[environment]
TOKEN = { value = "s3cr3t", secret = true }

[entries."src/hello.txt"]
type = "inline_file"
content = "hello\n"

[entries.repo]
type = "git_repo"
repo = "wsbx/wsbx"
ref = "main"
subpath = "manifest"
`), "toml")
	if err != nil {
		panic(err)
	}
	fmt.Print(manifest.Describe(m))
	// Output:
	// root /workspace
	// environment:
	//   TOKEN (secret)
	// entries:
	//   repo           git_repo     https://github.com/wsbx/wsbx.git @ main subpath manifest
	//   src/hello.txt  inline_file  6 bytes
}

func ExampleParse_errors() {
	_, err := manifest.Parse([]byte(`
[entries."../outside"]
type = "inline_file"
content = "x"
`), "toml")
	fmt.Println(providers.CodeOf(err))
	var de *manifest.DecodeError
	if errors.As(err, &de) {
		fmt.Println(de.Line, de.Key)
	}
	// Output:
	// invalid_manifest_path
	// 2 entries."../outside"
}

func ExampleEnvValue() {
	v := manifest.EnvValue{Value: "s3cr3t", Secret: true}
	fmt.Println(v)
	m := &manifest.Manifest{Environment: map[string]manifest.EnvValue{"TOKEN": v}}
	fmt.Println(m.Redacted().Environment["TOKEN"].Value, m.Env()["TOKEN"])
	// Output:
	// [REDACTED]
	// [REDACTED] s3cr3t
}
