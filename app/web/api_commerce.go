package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
)

type orderJSON struct {
	ID          string          `json:"id"`
	Kind        string          `json:"kind"`
	Status      string          `json:"status"`
	Payment     string          `json:"payment"`
	TotalCents  int64           `json:"total_cents"`
	Currency    string          `json:"currency"`
	CheckoutURL string          `json:"checkout_url,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	PaidAt      *time.Time      `json:"paid_at,omitempty"`
	Items       []orderItemJSON `json:"items,omitempty"`
}

type orderItemJSON struct {
	ImageID    string `json:"image_id"`
	License    string `json:"license"`
	PriceCents int64  `json:"price_cents"`
}

// absolute makes a path on this server absolute, from the address the
// client called; URLs elsewhere (a provider's checkout) pass unchanged.
func absolute(c echo.Context, u string) string {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		return c.Scheme() + "://" + c.Request().Host + u
	}
	return u
}

func orderOut(c echo.Context, o *app.Order) orderJSON {
	out := orderJSON{
		ID: o.PublicID, Kind: string(o.Kind), Status: string(o.Status), Payment: string(o.Payment),
		TotalCents: o.TotalCents, Currency: o.Currency, CreatedAt: o.CreatedAt, PaidAt: o.PaidAt,
	}
	if o.Status == app.OrderPending {
		out.CheckoutURL = absolute(c, o.CheckoutURL)
	}
	return out
}

// apiCreateOrder: POST /api/v1/orders with an Idempotency-Key header. 201
// with the new order; a replay of the same key answers 200 with the order it
// made (Idempotent-Replayed: true) and moves no money.
func (s *Server) apiCreateOrder(c echo.Context) error {
	var req commerce.OrderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.commerce.CreateOrder(c.Request().Context(), currentUser(c), c.Request().Header.Get("Idempotency-Key"), req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if r.Replayed {
		status = http.StatusOK
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/orders/"+r.Order.PublicID)
	return c.JSON(status, orderOut(c, r.Order))
}

func (s *Server) apiOrder(c echo.Context) error {
	ctx := c.Request().Context()
	o, items, err := s.commerce.Order(ctx, currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ImageID
	}
	imgs, err := s.commerce.Images(ctx, ids)
	if err != nil {
		return err
	}
	out := orderOut(c, o)
	for _, it := range items {
		var pub string
		if img := imgs[it.ImageID]; img != nil {
			pub = img.PublicID
		}
		out.Items = append(out.Items, orderItemJSON{ImageID: pub, License: string(it.License), PriceCents: it.PriceCents})
	}
	return c.JSON(http.StatusOK, out)
}

type licenseJSON struct {
	Code        string    `json:"code"`
	ImageID     string    `json:"image_id"`
	License     string    `json:"license"`
	PurchasedAt time.Time `json:"purchased_at"`
	DownloadURL string    `json:"download_url,omitempty"`
	VerifyURL   string    `json:"verify_url"`
	Revoked     bool      `json:"revoked,omitempty"`
}

func (s *Server) apiMyLicenses(c echo.Context) error {
	lics, err := s.commerce.Licenses(c.Request().Context(), currentUser(c), 0, 0)
	if err != nil {
		return err
	}
	out := struct {
		Licenses []licenseJSON `json:"licenses"`
	}{Licenses: make([]licenseJSON, 0, len(lics))}
	for _, l := range lics {
		j := licenseJSON{
			Code: l.License.Code, License: string(l.License.Tier), PurchasedAt: l.License.CreatedAt,
			VerifyURL: absolute(c, "/licenses/"+l.License.Code), Revoked: !l.License.Valid(),
		}
		if l.DownloadURL != "" {
			j.DownloadURL = absolute(c, l.DownloadURL)
		}
		if l.Image != nil {
			j.ImageID = l.Image.PublicID
		}
		out.Licenses = append(out.Licenses, j)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

type walletEntryJSON struct {
	Kind        string    `json:"kind"`
	Reference   string    `json:"reference"`
	Memo        string    `json:"memo"`
	AmountCents int64     `json:"amount_cents"`
	CreatedAt   time.Time `json:"created_at"`
}

func (s *Server) apiMyWallet(c echo.Context) error {
	w, err := s.commerce.Wallet(c.Request().Context(), currentUser(c), 500, 0)
	if err != nil {
		return err
	}
	out := struct {
		BalanceCents int64             `json:"balance_cents"`
		Currency     string            `json:"currency"`
		Entries      []walletEntryJSON `json:"entries"`
	}{BalanceCents: w.BalanceCents, Currency: app.Currency, Entries: make([]walletEntryJSON, 0, len(w.Entries))}
	for _, e := range w.Entries {
		out.Entries = append(out.Entries, walletEntryJSON{Kind: string(e.Kind), Reference: e.Reference, Memo: e.Memo, AmountCents: e.AmountCents, CreatedAt: e.CreatedAt})
	}
	return c.JSON(http.StatusOK, out)
}

type saleJSON struct {
	Date             time.Time `json:"date"`
	Order            string    `json:"order"`
	ImageID          string    `json:"image_id"`
	ImageTitle       string    `json:"image_title"`
	License          string    `json:"license"`
	GrossCents       int64     `json:"gross_cents"`
	FeeCents         int64     `json:"fee_cents"`
	PlatformCents    int64     `json:"platform_cents"`
	ContributorCents int64     `json:"contributor_cents"`
	Status           string    `json:"status"`
}

func (s *Server) apiMyEarnings(c echo.Context) error {
	e, err := s.commerce.Earnings(c.Request().Context(), currentUser(c), 0, 0)
	if err != nil {
		return err
	}
	out := struct {
		BalanceCents int64      `json:"balance_cents"`
		PendingCents int64      `json:"pending_payout_cents"`
		Sales        []saleJSON `json:"sales"`
	}{BalanceCents: e.BalanceCents, PendingCents: e.PendingCents, Sales: make([]saleJSON, 0, len(e.Sales))}
	for _, l := range e.Sales {
		out.Sales = append(out.Sales, saleJSON{
			Date: l.PaidAt, Order: l.OrderPublicID, ImageID: l.ImagePublicID, ImageTitle: l.ImageTitle, License: string(l.License),
			GrossCents: l.PriceCents, FeeCents: l.FeeCents, PlatformCents: l.PlatformCents, ContributorCents: l.ContributorCents, Status: string(l.Status),
		})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiRefund(c echo.Context) error {
	o, err := s.moderation.Refund(c.Request().Context(), actor(c), c.Param("id"), "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, orderOut(c, o))
}
