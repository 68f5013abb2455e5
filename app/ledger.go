package app

import "time"

// AccountKind names a ledger account's role. Accounts of the kinds that
// belong to someone (wallet, payable, payouts) carry the user's ID.
type AccountKind string

// Ledger account kinds.
const (
	AccountWallet   AccountKind = "wallet"   // a buyer's spendable money
	AccountPayable  AccountKind = "payable"  // what the platform owes a contributor
	AccountPayouts  AccountKind = "payouts"  // a contributor's payouts requested, not yet paid
	AccountRevenue  AccountKind = "revenue"  // the platform's share of sales, less fees and bonuses
	AccountClearing AccountKind = "clearing" // money in and out through the card processor and bank
	AccountFees     AccountKind = "fees"     // the card processor's fees
)

// Owned reports whether accounts of this kind belong to one user.
func (k AccountKind) Owned() bool {
	return k == AccountWallet || k == AccountPayable || k == AccountPayouts
}

// TransactionKind names why money moved.
type TransactionKind string

// Ledger transaction kinds.
const (
	TxSale          TransactionKind = "sale"           // licences paid for
	TxTopUp         TransactionKind = "topup"          // a wallet top-up paid by card
	TxRefund        TransactionKind = "refund"         // a sale reversed
	TxPayoutRequest TransactionKind = "payout_request" // a contributor asked to be paid
	TxPayoutPaid    TransactionKind = "payout_paid"    // an admin paid it
	TxCredit        TransactionKind = "credit"         // a card payment that could not be used, kept in the wallet
)

// LedgerEntry is one line of a ledger transaction, as an account's owner sees it.
type LedgerEntry struct {
	TransactionID int64
	Kind          TransactionKind
	Reference     string // the order or payout it belongs to
	Memo          string
	AmountCents   int64 // positive: into the account
	CreatedAt     time.Time
}

// Payout is a contributor's request to be paid their balance.
type Payout struct {
	ID            int64
	PublicID      string
	ContributorID int64
	AmountCents   int64
	Status        PayoutStatus
	CreatedAt     time.Time
	PaidAt        *time.Time
}

// PayoutStatus is where a payout is: requested → paid.
type PayoutStatus string

// Payout statuses.
const (
	PayoutRequested PayoutStatus = "requested"
	PayoutPaid      PayoutStatus = "paid"
)
