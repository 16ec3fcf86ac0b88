// Command echoargs reports what a host gave it: it prints its arguments, the
// environment variables named in WANT_ENV (comma-separated), and the working
// directory; copies stdin to stdout; writes its arguments to the file
// echoargs.out in the working directory; and exits with the status given as
// "exit=N" in an argument.
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	code := 0
	for i, a := range os.Args {
		fmt.Printf("arg[%d]=%s\n", i, a)
		if n, ok := strings.CutPrefix(a, "exit="); ok {
			code, _ = strconv.Atoi(n)
		}
	}
	for _, name := range strings.Split(os.Getenv("WANT_ENV"), ",") {
		if name != "" {
			v, ok := os.LookupEnv(name)
			fmt.Printf("env %s=%q %v\n", name, v, ok)
		}
	}
	wd, err := os.Getwd()
	fmt.Printf("pwd=%s err=%v\n", wd, err)
	if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "stdin:", err)
		os.Exit(100)
	}
	if err := os.WriteFile("echoargs.out", []byte(strings.Join(os.Args[1:], " ")+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "write:", err)
		os.Exit(101)
	}
	fmt.Fprintln(os.Stderr, "echoargs: done")
	os.Exit(code)
}
