package moderation

import (
	"context"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
)

// Refund reverses a paid licence order through the ledger (see
// commerce.Service.Refund) and records who did it.
func (s *Service) Refund(ctx context.Context, a Actor, orderID, note string) (*app.Order, error) {
	var out *app.Order
	err := s.audited(ctx, a, "order.refund", "order", note, func(ctx context.Context) (string, any, any, error) {
		before, err := s.db.OrderForUpdate(ctx, orderID)
		if err != nil {
			return "", nil, nil, err
		}
		if out, err = s.commerce.Refund(ctx, a.User, orderID); err != nil {
			return "", nil, nil, err
		}
		return orderID, map[string]any{"status": before.Status, "total_cents": before.TotalCents},
			map[string]any{"status": out.Status, "total_cents": out.TotalCents}, nil
	})
	return out, err
}

// PayPayout marks a requested payout paid, posting it to the ledger.
func (s *Service) PayPayout(ctx context.Context, a Actor, payoutID, note string) (*app.Payout, error) {
	var out *app.Payout
	err := s.audited(ctx, a, "payout.paid", "payout", note, func(ctx context.Context) (string, any, any, error) {
		var err error
		if out, err = s.commerce.MarkPayoutPaid(ctx, a.User, payoutID); err != nil {
			return "", nil, nil, err
		}
		return payoutID, map[string]any{"status": app.PayoutRequested, "amount_cents": out.AmountCents},
			map[string]any{"status": out.Status, "amount_cents": out.AmountCents}, nil
	})
	return out, err
}

// OrderLine is an order with its buyer, for the admins' order list.
type OrderLine struct {
	app.Order
	Buyer *app.User
}

// Orders lists orders, newest first, optionally only those in one status.
func (s *Service) Orders(ctx context.Context, admin *app.User, status app.OrderStatus, limit, offset int) ([]OrderLine, int64, error) {
	if !admin.Can(app.RoleAdmin) {
		return nil, 0, app.Errorf(app.EForbidden, "Only admins may list orders.")
	}
	f := store.OrderFilter{Limit: min(max(limit, 1), 200), Offset: max(offset, 0)}
	if status != "" {
		f.Statuses = []app.OrderStatus{status}
	}
	list, total, err := s.db.ListOrders(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(list))
	for i, o := range list {
		ids[i] = o.BuyerID
	}
	users, err := s.db.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]OrderLine, 0, len(list))
	for _, o := range list {
		out = append(out, OrderLine{Order: o, Buyer: users[o.BuyerID]})
	}
	return out, total, nil
}

// Audit lists the audit log, newest first.
func (s *Service) Audit(ctx context.Context, admin *app.User, f store.AuditFilter) ([]AuditLine, int64, error) {
	if !admin.Can(app.RoleAdmin) {
		return nil, 0, app.Errorf(app.EForbidden, "Only admins may read the audit log.")
	}
	f.Limit = min(max(f.Limit, 1), 200)
	list, total, err := s.db.ListAudit(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(list))
	for i, e := range list {
		ids[i] = e.ActorID
	}
	users, err := s.db.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]AuditLine, 0, len(list))
	for _, e := range list {
		out = append(out, AuditLine{AuditEntry: e, Actor: users[e.ActorID]})
	}
	return out, total, nil
}

// AuditLine is an audit entry with the admin who acted.
type AuditLine struct {
	app.AuditEntry
	Actor *app.User
}

// AuditActions lists the actions on record, for the log's filter.
func (s *Service) AuditActions(ctx context.Context) ([]string, error) {
	return s.db.AuditActions(ctx)
}
