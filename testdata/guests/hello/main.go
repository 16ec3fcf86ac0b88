// Command hello prints "hello" and exits: the smallest Go-built guest, used
// to measure the cost of starting the Go runtime inside Wasm.
package main

import "os"

func main() {
	os.Stdout.WriteString("hello\n")
}
