// Package lightbox keeps the lightboxes a signed-in account collects images
// in: named, ordered, priced per licence, and shareable with a client by an
// unguessable link (only its SHA-256 is stored) through which the client
// approves or turns down each image and comments on it. The owner then puts
// exactly the approved images in the cart.
//
// Nobody but the owner reaches a lightbox: anyone else's look-up is the same
// not_found as for one that never existed. Images taken down or unpublished
// later drop out of every view and total without being removed.
//
// lightbox may import app, app/store and app/commerce; it never imports web.
package lightbox
