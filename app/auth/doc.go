// Package auth owns accounts: sign-up and its rules, password hashing
// (argon2id), sign-in with a per-account throttle, roles, and API tokens.
// Browser sessions are kept by the web layer in the store's session table;
// auth decides who a session or token belongs to and whether they may still
// act (a suspended account may not).
//
// auth may import app, app/store and app/ratelimit.
package auth
