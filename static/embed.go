// Package static embeds Snapshop's CSS, JavaScript and images. The web package
// serves each under a content-hashed name with a one-year immutable cache.
package static

import "embed"

// FS holds css/, js/ and img/.
//
//go:embed css js img
var FS embed.FS
