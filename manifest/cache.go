package manifest

// Cache keeps git trees and downloads in a directory so that later
// materializations reuse them. It is safe for concurrent use, also by
// several processes sharing the directory.
type Cache struct {
	dir string
}
