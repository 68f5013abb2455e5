// Package web is Snapshop's HTTP layer and the only package that imports
// Echo. routes.go lists every route; each handler parses a request, calls one
// service method and renders a page or JSON. Errors from any layer are mapped
// to statuses in one place (errors.go); templates are parsed once at start and
// rendered into a buffer, so a template error never sends half a page.
//
// web may import app and its service packages; domain packages never import web.
package web
