// Package app is Snapshop's shared vocabulary: the entities every other package
// talks about (users and roles so far), the error codes that cross package
// boundaries, and small value helpers.
//
// It imports nothing but the standard library, so every package may import it
// and it may import none of them.
package app
