// Command fileio measures file throughput from inside a guest:
//
//	fileio write|read FILE MIB BLOCK_KIB
//
// write creates FILE with MIB mebibytes in blocks of BLOCK_KIB kibibytes;
// read reads FILE back in blocks of that size. It prints the bytes moved
// and the nanoseconds the loop took, as "bytes=N ns=N".
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: fileio write|read FILE MIB BLOCK_KIB")
		os.Exit(2)
	}
	mib, err1 := strconv.Atoi(os.Args[3])
	kib, err2 := strconv.Atoi(os.Args[4])
	if err1 != nil || err2 != nil || mib <= 0 || kib <= 0 {
		fmt.Fprintln(os.Stderr, "fileio: bad size")
		os.Exit(2)
	}
	buf := make([]byte, kib<<10)
	for i := range buf {
		buf[i] = byte(i)
	}
	total := int64(mib) << 20
	var n int64
	start := time.Now()
	switch os.Args[1] {
	case "write":
		f, err := os.Create(os.Args[2])
		check(err)
		for n < total {
			m, err := f.Write(buf)
			check(err)
			n += int64(m)
		}
		check(f.Close())
	case "read":
		f, err := os.Open(os.Args[2])
		check(err)
		for {
			m, err := f.Read(buf)
			n += int64(m)
			if err == io.EOF {
				break
			}
			check(err)
		}
		check(f.Close())
	default:
		fmt.Fprintln(os.Stderr, "fileio: unknown mode", os.Args[1])
		os.Exit(2)
	}
	fmt.Printf("bytes=%d ns=%d\n", n, time.Since(start).Nanoseconds())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "fileio:", err)
		os.Exit(1)
	}
}
