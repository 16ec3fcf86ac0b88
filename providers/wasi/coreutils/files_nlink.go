package coreutils

import (
	"io/fs"
	"reflect"
)

// fileSysInt returns the integer field called name of the stat structure a
// FileInfo carries in Sys() (as afero.OsFs's FileInfos do), if there is one.
func fileSysInt(fi fs.FileInfo, name string) (int64, bool) {
	sys := fi.Sys()
	if sys == nil {
		return 0, false
	}
	v := reflect.ValueOf(sys)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return 0, false
	}
	f := v.FieldByName(name)
	if !f.IsValid() {
		return 0, false
	}
	switch f.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return int64(f.Uint()), true
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		return f.Int(), true
	}
	return 0, false
}

// fileNlink returns the link count from a FileInfo's stat structure.
func fileNlink(fi fs.FileInfo) (int, bool) {
	n, ok := fileSysInt(fi, "Nlink")
	return int(n), ok
}
