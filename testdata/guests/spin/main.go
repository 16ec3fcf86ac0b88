// Command spin loops forever without calling the host; a host must stop it
// through its context deadline.
package main

import "os"

var counter uint64

func main() {
	os.Stdout.WriteString("spinning\n")
	for {
		counter++
	}
}
