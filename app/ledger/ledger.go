package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
)

// Ledger posts and reads the books.
type Ledger struct{ db *store.DB }

// New returns the ledger kept in db.
func New(db *store.DB) *Ledger { return &Ledger{db: db} }

// Account refs.
func wallet(buyerID int64) store.AccountRef {
	return store.AccountRef{Kind: app.AccountWallet, OwnerID: buyerID}
}
func payable(contributorID int64) store.AccountRef {
	return store.AccountRef{Kind: app.AccountPayable, OwnerID: contributorID}
}
func payouts(contributorID int64) store.AccountRef {
	return store.AccountRef{Kind: app.AccountPayouts, OwnerID: contributorID}
}

var (
	revenue  = store.AccountRef{Kind: app.AccountRevenue}
	clearing = store.AccountRef{Kind: app.AccountClearing}
	fees     = store.AccountRef{Kind: app.AccountFees}
)

// source is where an order's money comes from: the buyer's wallet or, for
// card payments, the processor.
func source(o *app.Order) store.AccountRef {
	if o.Payment == app.PayWallet {
		return wallet(o.BuyerID)
	}
	return clearing
}

// Sale records a paid licence order: the money leaves its source; each sold
// item's price splits into the contributor's payable balance and platform
// revenue; creditCents (card orders whose items could no longer be sold)
// goes to the buyer's wallet; a card fee is the platform's cost. From a
// wallet that cannot cover the total it fails with an EPayment error and
// writes nothing.
func (l *Ledger) Sale(ctx context.Context, o *app.Order, sold []app.OrderItem, creditCents int64) error {
	ps := []store.Posting{{Account: source(o), AmountCents: -o.TotalCents}}
	var soldCents int64
	for _, it := range sold {
		soldCents += it.PriceCents
		if it.ContributorCents > 0 {
			ps = append(ps, store.Posting{Account: payable(it.ContributorID), AmountCents: it.ContributorCents, OrderItemID: it.ID})
		}
		if it.PlatformCents > 0 {
			ps = append(ps, store.Posting{Account: revenue, AmountCents: it.PlatformCents, OrderItemID: it.ID})
		}
	}
	if soldCents+creditCents != o.TotalCents {
		return fmt.Errorf("ledger: sale of order %s: items %d + credit %d ≠ total %d", o.PublicID, soldCents, creditCents, o.TotalCents)
	}
	if creditCents > 0 {
		ps = append(ps, store.Posting{Account: wallet(o.BuyerID), AmountCents: creditCents})
	}
	ps = withFee(ps, o.FeeCents)
	_, err := l.db.PostTransaction(ctx, app.TxSale, o.PublicID, saleMemo(len(sold)), ps)
	return l.fundsError(ctx, err, o)
}

func saleMemo(n int) string {
	if n == 1 {
		return "1 licence"
	}
	return fmt.Sprintf("%d licences", n)
}

// withFee adds a card fee: an expense the platform pays out of revenue.
func withFee(ps []store.Posting, fee int64) []store.Posting {
	if fee <= 0 {
		return ps
	}
	return append(ps,
		store.Posting{Account: fees, AmountCents: fee},
		store.Posting{Account: revenue, AmountCents: -fee})
}

// fundsError turns a wallet that could not cover an order into a message
// the buyer can act on.
func (l *Ledger) fundsError(ctx context.Context, err error, o *app.Order) error {
	if !errors.Is(err, store.ErrInsufficientFunds) {
		return err
	}
	have, berr := l.db.Balance(ctx, wallet(o.BuyerID))
	if berr != nil {
		return errors.Join(err, berr)
	}
	return &app.Error{Code: app.EPayment, Err: err, Message: fmt.Sprintf(
		"Your wallet holds %s; this order costs %s. Top up your wallet or pay by card.", app.Dollars(have), app.Dollars(o.TotalCents))}
}

// TopUp records a card top-up: the charge leaves clearing into the buyer's
// wallet, a bonus (o.CreditCents above the total) comes out of revenue, and
// the card fee is the platform's cost.
func (l *Ledger) TopUp(ctx context.Context, o *app.Order) error {
	ps := []store.Posting{
		{Account: clearing, AmountCents: -o.TotalCents},
		{Account: wallet(o.BuyerID), AmountCents: o.CreditCents},
	}
	if bonus := o.CreditCents - o.TotalCents; bonus > 0 {
		ps = append(ps, store.Posting{Account: revenue, AmountCents: -bonus})
	} else if bonus < 0 {
		return fmt.Errorf("ledger: top-up %s credits %d for %d paid", o.PublicID, o.CreditCents, o.TotalCents)
	}
	_, err := l.db.PostTransaction(ctx, app.TxTopUp, o.PublicID, "Wallet top-up", withFee(ps, o.FeeCents))
	return err
}

// Refund reverses a sale: each sold item's split goes back, and the total
// returns to where it came from (the wallet, or the card through clearing).
// The card fee is not returned: processors keep it.
func (l *Ledger) Refund(ctx context.Context, o *app.Order, sold []app.OrderItem) error {
	ps := []store.Posting{{Account: source(o), AmountCents: o.TotalCents}}
	var back int64
	for _, it := range sold {
		back += it.PriceCents
		if it.ContributorCents > 0 {
			ps = append(ps, store.Posting{Account: payable(it.ContributorID), AmountCents: -it.ContributorCents, OrderItemID: it.ID})
		}
		if it.PlatformCents > 0 {
			ps = append(ps, store.Posting{Account: revenue, AmountCents: -it.PlatformCents, OrderItemID: it.ID})
		}
	}
	if credit := o.TotalCents - back; credit > 0 {
		// Part of a card order already went to the wallet as a credit:
		// refunding it to the card takes it back out of the wallet.
		ps = append(ps, store.Posting{Account: wallet(o.BuyerID), AmountCents: -credit})
	}
	_, err := l.db.PostTransaction(ctx, app.TxRefund, o.PublicID, "Refund", ps)
	if errors.Is(err, store.ErrInsufficientFunds) {
		return app.Errorf(app.EConflict, "The buyer has already spent the wallet credit from this order, so it cannot be refunded to the card.")
	}
	return err
}

// RequestPayout moves a contributor's payable balance into pending payouts.
func (l *Ledger) RequestPayout(ctx context.Context, p *app.Payout) error {
	_, err := l.db.PostTransaction(ctx, app.TxPayoutRequest, p.PublicID, "Payout requested", []store.Posting{
		{Account: payable(p.ContributorID), AmountCents: -p.AmountCents},
		{Account: payouts(p.ContributorID), AmountCents: p.AmountCents},
	})
	return err
}

// PayoutPaid records that a requested payout left the platform's bank.
func (l *Ledger) PayoutPaid(ctx context.Context, p *app.Payout) error {
	_, err := l.db.PostTransaction(ctx, app.TxPayoutPaid, p.PublicID, "Payout paid", []store.Posting{
		{Account: payouts(p.ContributorID), AmountCents: -p.AmountCents},
		{Account: clearing, AmountCents: p.AmountCents},
	})
	return err
}

// WalletBalance is what a buyer has to spend.
func (l *Ledger) WalletBalance(ctx context.Context, buyerID int64) (int64, error) {
	return l.db.Balance(ctx, wallet(buyerID))
}

// WalletEntries are a buyer's wallet movements, newest first.
func (l *Ledger) WalletEntries(ctx context.Context, buyerID int64, limit, offset int) ([]app.LedgerEntry, error) {
	return l.db.AccountEntries(ctx, wallet(buyerID), limit, offset)
}

// Earnings are a contributor's balances.
type Earnings struct {
	BalanceCents int64 // earned and not yet requested
	PendingCents int64 // requested, not yet paid
}

// ContributorEarnings returns a contributor's balances.
func (l *Ledger) ContributorEarnings(ctx context.Context, contributorID int64) (Earnings, error) {
	b, err := l.db.Balance(ctx, payable(contributorID))
	if err != nil {
		return Earnings{}, err
	}
	p, err := l.db.Balance(ctx, payouts(contributorID))
	if err != nil {
		return Earnings{}, err
	}
	return Earnings{BalanceCents: b, PendingCents: p}, nil
}

// Verify checks the books: every transaction sums to zero and every cached
// balance equals the sum of its account's entries. It returns nil when they
// hold, and an error listing what does not otherwise.
func (l *Ledger) Verify(ctx context.Context) error {
	problems, err := l.db.LedgerProblems(ctx)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("ledger does not balance: %s", strings.Join(problems, "; "))
	}
	return nil
}
