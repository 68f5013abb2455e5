// Package blob stores opaque byte blobs (image originals and derivatives) under
// validated, content-derived keys.
//
// It owns the two concrete stores Snapshop runs on: Local, a directory on disk
// (the default), and S3, an S3-compatible bucket (production). Both offer the
// same method set with the same semantics (atomic Put, ErrNotFound, ErrInvalidKey,
// seekable Objects); consumers declare the interface they need themselves.
//
// The package knows nothing of app/: it imports only the standard library and
// the S3 client.
package blob
