// Command spin never ends on its own: it loops forever without calling the
// host, or, as "spin sleep", sleeps for an hour. A host must stop it through
// its context.
package main

import (
	"os"
	"time"
)

var counter uint64

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		os.Stdout.WriteString("sleeping\n")
		time.Sleep(time.Hour)
		return
	}
	os.Stdout.WriteString("spinning\n")
	for {
		counter++
	}
}
