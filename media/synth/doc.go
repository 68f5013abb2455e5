// Package synth makes deterministic photo-like images for tests, benchmarks and the demo
// catalogue: smooth gradients, soft shapes, texture and grain, so that they compress and resize
// like photographs rather than flat colour. It imports only the standard library.
package synth
