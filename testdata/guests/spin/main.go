// Command spin never ends on its own: it loops forever without calling the
// host, or, as "spin sleep", sleeps for an hour. A host must stop it through
// its context. As "spin N" it loops N times and exits: a measure of loop
// iterations.
package main

import (
	"os"
	"strconv"
	"time"
)

var counter uint64

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		os.Stdout.WriteString("sleeping\n")
		time.Sleep(time.Hour)
		return
	}
	if len(os.Args) > 1 {
		n, err := strconv.ParseUint(os.Args[1], 10, 64)
		if err != nil {
			os.Exit(2)
		}
		for range n {
			counter++
		}
		return
	}
	os.Stdout.WriteString("spinning\n")
	for {
		counter++
	}
}
