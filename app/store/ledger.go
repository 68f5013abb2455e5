package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm/clause"

	"github.com/snapshop/snapshop/app"
)

type ledgerAccount struct {
	ID           int64
	Kind         app.AccountKind
	OwnerID      int64
	Currency     string
	BalanceCents int64
}

func (ledgerAccount) TableName() string { return "ledger_accounts" }

type ledgerTransaction struct {
	ID        int64
	Kind      app.TransactionKind
	Reference string
	Memo      string
	CreatedAt time.Time
}

func (ledgerTransaction) TableName() string { return "ledger_transactions" }

type ledgerEntry struct {
	ID            int64
	TransactionID int64
	AccountID     int64
	AmountCents   int64
	OrderItemID   *int64
	CreatedAt     time.Time
}

func (ledgerEntry) TableName() string { return "ledger_entries" }

// AccountRef names a ledger account: its kind and, for owned kinds, the user.
type AccountRef struct {
	Kind    app.AccountKind
	OwnerID int64
}

// Posting is one line of a ledger transaction to write.
type Posting struct {
	Account     AccountRef
	AmountCents int64 // positive: into the account
	OrderItemID int64 // the sale line it belongs to, if any
}

// ErrInsufficientFunds is returned by PostTransaction when a posting would
// take an account that may not go negative (a wallet, pending payouts) below
// zero.
var ErrInsufficientFunds = errors.New("store: insufficient funds")

// accountID returns the ID of an account, creating it at a zero balance the
// first time it is used. ON CONFLICT DO NOTHING makes concurrent first uses
// safe on both dialects.
func (db *DB) accountID(ctx context.Context, ref AccountRef) (int64, error) {
	tx := db.conn(ctx)
	var id int64
	err := tx.Raw("SELECT id FROM ledger_accounts WHERE kind = ? AND owner_id = ? AND currency = ?", ref.Kind, ref.OwnerID, app.Currency).Scan(&id).Error
	if err != nil {
		return 0, fmt.Errorf("find ledger account %s/%d: %w", ref.Kind, ref.OwnerID, translate(err))
	}
	if id != 0 {
		return id, nil
	}
	a := ledgerAccount{Kind: ref.Kind, OwnerID: ref.OwnerID, Currency: app.Currency}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
		return 0, fmt.Errorf("create ledger account %s/%d: %w", ref.Kind, ref.OwnerID, translate(err))
	}
	if a.ID != 0 {
		return a.ID, nil
	}
	err = tx.Raw("SELECT id FROM ledger_accounts WHERE kind = ? AND owner_id = ? AND currency = ?", ref.Kind, ref.OwnerID, app.Currency).Scan(&id).Error
	if err != nil || id == 0 {
		return 0, fmt.Errorf("find ledger account %s/%d after creating it: %w", ref.Kind, ref.OwnerID, translate(err))
	}
	return id, nil
}

// PostTransaction writes one balanced transaction in the transaction in ctx
// (the caller's, so the money moves with whatever it pays for). Each
// account's cached balance moves with its entries; accounts are updated in
// ID order so that concurrent transactions on PostgreSQL cannot deadlock. A
// second transaction of the same kind and reference is an EConflict.
func (db *DB) PostTransaction(ctx context.Context, kind app.TransactionKind, reference, memo string, postings []Posting) (int64, error) {
	var sum int64
	for _, p := range postings {
		if p.AmountCents == 0 {
			return 0, fmt.Errorf("ledger %s %s: a posting of zero", kind, reference)
		}
		sum += p.AmountCents
	}
	if sum != 0 || len(postings) < 2 {
		return 0, fmt.Errorf("ledger %s %s: postings sum to %d, not zero", kind, reference, sum)
	}
	var txID int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		now := time.Now().UTC()
		t := ledgerTransaction{Kind: kind, Reference: reference, Memo: memo, CreatedAt: now}
		if err := db.conn(ctx).Create(&t).Error; err != nil {
			return fmt.Errorf("ledger %s %s: %w", kind, reference, translate(err))
		}
		txID = t.ID
		entries := make([]ledgerEntry, len(postings))
		deltas := map[int64]int64{}
		shared := map[int64]bool{}
		// A sale of n images has ~2n postings on a few accounts (revenue
		// and each contributor's payable recur): find each account once.
		accounts := map[AccountRef]int64{}
		for i, p := range postings {
			id, ok := accounts[p.Account]
			if !ok {
				var err error
				if id, err = db.accountID(ctx, p.Account); err != nil {
					return err
				}
				accounts[p.Account] = id
			}
			entries[i] = ledgerEntry{TransactionID: t.ID, AccountID: id, AmountCents: p.AmountCents, CreatedAt: now}
			if p.OrderItemID != 0 {
				entries[i].OrderItemID = &p.OrderItemID
			}
			deltas[id] += p.AmountCents
			shared[id] = !p.Account.Kind.Owned()
		}
		ids := make([]int64, 0, len(deltas))
		for id := range deltas {
			ids = append(ids, id)
		}
		// The platform's own accounts (revenue, clearing, fees) are in
		// every sale: lock them last, so each sale holds them for as short
		// a time as possible. One global order (owned accounts, then
		// shared ones, each by ID) keeps PostgreSQL free of deadlocks.
		slices.SortFunc(ids, func(a, b int64) int {
			if shared[a] != shared[b] {
				if shared[a] {
					return 1
				}
				return -1
			}
			return cmp.Compare(a, b)
		})
		for _, id := range ids {
			if err := db.moveBalance(ctx, id, deltas[id]); err != nil {
				return err
			}
		}
		if err := db.conn(ctx).Create(&entries).Error; err != nil {
			return fmt.Errorf("ledger %s %s: write entries: %w", kind, reference, translate(err))
		}
		return nil
	})
	return txID, err
}

// moveBalance adds delta to an account's cached balance. For kinds that may
// not go negative the guard is in the UPDATE itself, so two concurrent
// debits of one wallet cannot both pass a check made before either wrote.
func (db *DB) moveBalance(ctx context.Context, accountID, delta int64) error {
	res := db.conn(ctx).Exec(`UPDATE ledger_accounts SET balance_cents = balance_cents + ?
		WHERE id = ? AND (kind NOT IN ('wallet', 'payouts') OR balance_cents + ? >= 0)`, delta, accountID, delta)
	if res.Error != nil {
		return fmt.Errorf("move ledger balance: %w", translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return ErrInsufficientFunds
	}
	return nil
}

// Balance returns an account's balance (0 for an account never used).
func (db *DB) Balance(ctx context.Context, ref AccountRef) (int64, error) {
	var b int64
	err := db.conn(ctx).Raw("SELECT balance_cents FROM ledger_accounts WHERE kind = ? AND owner_id = ? AND currency = ?", ref.Kind, ref.OwnerID, app.Currency).Scan(&b).Error
	if err != nil {
		return 0, fmt.Errorf("read balance of %s/%d: %w", ref.Kind, ref.OwnerID, translate(err))
	}
	return b, nil
}

// AccountEntries returns an account's entries, newest first.
func (db *DB) AccountEntries(ctx context.Context, ref AccountRef, limit, offset int) ([]app.LedgerEntry, error) {
	var out []app.LedgerEntry
	err := db.conn(ctx).Raw(`SELECT t.id AS transaction_id, t.kind, t.reference, t.memo, e.amount_cents, e.created_at
		FROM ledger_entries e
		JOIN ledger_accounts a ON a.id = e.account_id
		JOIN ledger_transactions t ON t.id = e.transaction_id
		WHERE a.kind = ? AND a.owner_id = ? AND a.currency = ?
		ORDER BY e.id DESC LIMIT ? OFFSET ?`, ref.Kind, ref.OwnerID, app.Currency, limit, offset).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read entries of %s/%d: %w", ref.Kind, ref.OwnerID, translate(err))
	}
	return out, nil
}

// LedgerProblems checks the books: every transaction sums to zero and has
// entries, and every account's cached balance equals the sum of its
// entries. It returns one line per problem found (none: the books balance).
func (db *DB) LedgerProblems(ctx context.Context) ([]string, error) {
	var problems []string
	var unbalanced []struct {
		TransactionID int64
		Sum           int64
	}
	err := db.conn(ctx).Raw(`SELECT transaction_id, SUM(amount_cents) AS sum FROM ledger_entries
		GROUP BY transaction_id HAVING SUM(amount_cents) <> 0 ORDER BY transaction_id`).Scan(&unbalanced).Error
	if err != nil {
		return nil, fmt.Errorf("verify ledger: %w", translate(err))
	}
	for _, u := range unbalanced {
		problems = append(problems, fmt.Sprintf("transaction %d sums to %d", u.TransactionID, u.Sum))
	}
	var empty []int64
	err = db.conn(ctx).Raw(`SELECT t.id FROM ledger_transactions t
		WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.transaction_id = t.id) ORDER BY t.id`).Scan(&empty).Error
	if err != nil {
		return nil, fmt.Errorf("verify ledger: %w", translate(err))
	}
	for _, id := range empty {
		problems = append(problems, fmt.Sprintf("transaction %d has no entries", id))
	}
	var drifted []struct {
		ID           int64
		Kind         string
		OwnerID      int64
		BalanceCents int64
		Sum          int64
	}
	err = db.conn(ctx).Raw(`SELECT a.id, a.kind, a.owner_id, a.balance_cents, COALESCE(s.sum, 0) AS sum
		FROM ledger_accounts a
		LEFT JOIN (SELECT account_id, SUM(amount_cents) AS sum FROM ledger_entries GROUP BY account_id) s ON s.account_id = a.id
		WHERE a.balance_cents <> COALESCE(s.sum, 0) ORDER BY a.id`).Scan(&drifted).Error
	if err != nil {
		return nil, fmt.Errorf("verify ledger: %w", translate(err))
	}
	for _, d := range drifted {
		problems = append(problems, fmt.Sprintf("account %s/%d holds %d but its entries sum to %d", d.Kind, d.OwnerID, d.BalanceCents, d.Sum))
	}
	return problems, nil
}
