// Package moderation is what admins do: the review queue and its decisions,
// reports and takedowns, accounts, refunds and payouts, run-time settings,
// and the append-only audit log every one of those actions writes to, in the
// same transaction as the action itself.
//
// moderation may import app, app/store, app/catalog, app/commerce and
// search; it never imports web.
package moderation
