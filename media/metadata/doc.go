// Package metadata reads camera and descriptive metadata from uploaded JPEG, PNG and WebP files.
package metadata
