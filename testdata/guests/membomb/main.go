// Command membomb allocates and touches memory in 8 MiB blocks until the
// allocation fails, so a host can show that its memory limit holds.
package main

import (
	"fmt"
	"os"
)

var blocks [][]byte

func main() {
	for i := 1; ; i++ {
		b := make([]byte, 8<<20)
		for j := range b {
			if j%4096 == 0 {
				b[j] = byte(i)
			}
		}
		blocks = append(blocks, b)
		fmt.Fprintf(os.Stderr, "allocated %d MiB\n", i*8)
	}
}
