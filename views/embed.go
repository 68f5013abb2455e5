// Package views embeds Snapshop's html/template files: layouts/ (the page
// frame), partials/ (pieces shared by pages) and pages/ (one file per page,
// each defining "title" and "content"). The web package parses them once at
// start; with --dev it reads them from disk instead.
package views

import "embed"

// FS holds layouts/, partials/ and pages/.
//
//go:embed layouts partials pages
var FS embed.FS
