// Package files reads the files a user points hoist at (pipeline files,
// registries files, CA files, Dockerfiles) with the same two bounds: only
// regular files are read, never a named pipe, a device or a folder, and
// only up to a size cap per kind of file. It also unpacks a build
// context tar (hoist build -) under a cap, with no entry outside its
// folder, and writes a file atomically (WriteAtomic: the --iidfile).
//
// It is a leaf: it imports no hoist package.
package files
