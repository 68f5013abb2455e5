// Package catalog owns images and their lifecycle: accepting uploads
// (inspected, de-duplicated, stored byte for byte under a content-hash key),
// processing them into derivatives and metadata as jobs recorded in the
// database, the contributor's description of each image, submission for
// review, and who may see what.
//
// catalog may import app, app/store and media/...; it never imports web.
package catalog
