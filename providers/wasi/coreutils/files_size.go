package coreutils

import (
	"errors"
	"strconv"
	"strings"
)

// fileSizeSuffixes are the multiplier suffixes GNU tools accept on sizes.
var fileSizeSuffixes = map[string]int64{
	"": 1, "b": 512, "c": 1, "w": 2,
	"K": 1 << 10, "KiB": 1 << 10, "kB": 1000, "KB": 1000, "k": 1 << 10,
	"M": 1 << 20, "MiB": 1 << 20, "MB": 1000 * 1000,
	"G": 1 << 30, "GiB": 1 << 30, "GB": 1000 * 1000 * 1000,
	"T": 1 << 40, "TiB": 1 << 40, "TB": 1000 * 1000 * 1000 * 1000,
	"P": 1 << 50, "PiB": 1 << 50, "PB": 1000 * 1000 * 1000 * 1000 * 1000,
	"E": 1 << 60, "EiB": 1 << 60, "EB": 1000 * 1000 * 1000 * 1000 * 1000 * 1000,
}

var errFileBadSize = errors.New("invalid size")

// fileParseSize parses a non-negative count with an optional GNU multiplier
// suffix ("10", "4K", "1MiB", "2kB", "3b").
func fileParseSize(s string) (int64, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, errFileBadSize
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, errFileBadSize
	}
	mul, ok := fileSizeSuffixes[s[i:]]
	if !ok {
		return 0, errFileBadSize
	}
	if mul > 1 && n > (1<<63-1)/mul {
		return 0, errFileBadSize
	}
	return n * mul, nil
}

// fileParseSigned splits a leading '+' or '-' from s and parses the rest
// with fileParseSize.
func fileParseSigned(s string) (sign byte, n int64, err error) {
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		sign, s = s[0], s[1:]
	}
	n, err = fileParseSize(s)
	return sign, n, err
}
