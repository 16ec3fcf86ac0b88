package coreutils

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// errText returns the GNU (strerror) text for a filesystem error, such as
// "No such file or directory" for a *fs.PathError wrapping fs.ErrNotExist.
// Errors it does not know are returned with their innermost message, first
// letter in upper case.
func errText(err error) string {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, syscall.ENOTEMPTY):
		return "Directory not empty"
	case errors.Is(err, syscall.EISDIR):
		return "Is a directory"
	case errors.Is(err, syscall.ENOTDIR):
		return "Not a directory"
	case errors.Is(err, syscall.EROFS):
		return "Read-only file system"
	case errors.Is(err, syscall.ELOOP):
		return "Too many levels of symbolic links"
	case errors.Is(err, syscall.EXDEV):
		return "Invalid cross-device link"
	case errors.Is(err, syscall.ENAMETOOLONG):
		return "File name too long"
	case errors.Is(err, syscall.ENOSPC):
		return "No space left on device"
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrExist):
		return "File exists"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	case errors.Is(err, syscall.EINVAL), errors.Is(err, fs.ErrInvalid):
		return "Invalid argument"
	}
	inner := err
	for {
		var pe *fs.PathError
		var le *os.LinkError
		var se *os.SyscallError
		switch {
		case errors.As(inner, &pe) && pe.Err != nil && pe.Err != inner:
			inner = pe.Err
			continue
		case errors.As(inner, &le) && le.Err != nil && le.Err != inner:
			inner = le.Err
			continue
		case errors.As(inner, &se) && se.Err != nil && se.Err != inner:
			inner = se.Err
			continue
		}
		break
	}
	msg := inner.Error()
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "directory not empty"):
		return "Directory not empty"
	case strings.Contains(low, "is a directory"):
		return "Is a directory"
	case strings.Contains(low, "not a directory"):
		return "Not a directory"
	}
	r, n := utf8.DecodeRuneInString(msg)
	if n == 0 {
		return msg
	}
	return string(unicode.ToUpper(r)) + msg[n:]
}
