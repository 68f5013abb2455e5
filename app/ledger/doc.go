// Package ledger keeps Snapshop's double-entry books: every movement of money
// is one transaction whose entries sum to zero, entries are never edited or
// deleted (a refund is a new, reversing transaction), and an account's
// balance is the sum of its entries. The recipes here — sale, top-up, refund,
// payout — are the only ways money moves.
//
// Signs: an entry's amount is what flows into its account. Money arriving
// from outside (a card charge) leaves the clearing account, which therefore
// runs negative by what the processor collected for us.
//
// ledger may import app and app/store; commerce calls it inside its own
// transactions, so the money moves with what it pays for.
package ledger
