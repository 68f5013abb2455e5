package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/commerce"
)

const (
	pageCart         = "cart"
	pageOrder        = "order"
	pageLicenses     = "licenses"
	pageVerify       = "license_verify"
	pageCertificate  = "license_certificate"
	pageWallet       = "wallet"
	pageSandbox      = "sandbox_checkout"
	pageEarnings     = "earnings"
	pageAdminPayouts = "admin_payouts"
)

// formKey is the idempotency key a form carries: generated when the form
// is rendered, so a double-submitted or retried form makes one order.
func formKey(c echo.Context) string { return strings.TrimSpace(c.FormValue("key")) }

// newFormKey returns a fresh key for a form that moves money.
func newFormKey() string { return app.RandomToken(16) }

type cartPage struct {
	Page
	Quote  *commerce.Quote
	Wallet int64
	Key    string
}

func (s *Server) cartPage(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	q, err := s.commerce.Cart(ctx, u)
	if err != nil {
		return err
	}
	bal, err := s.commerce.Ledger().WalletBalance(ctx, u.ID)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, pageCart, &cartPage{Page: s.page(c, "Your cart"), Quote: q, Wallet: bal, Key: newFormKey()})
}

func formLine(c echo.Context) commerce.Line {
	return commerce.Line{ImageID: strings.TrimSpace(c.FormValue("image_id")), License: app.LicenseTier(c.FormValue("license"))}
}

func (s *Server) cartAdd(c echo.Context) error {
	if err := s.commerce.AddToCart(c.Request().Context(), currentUser(c), formLine(c)); err != nil {
		if code := app.ErrorCode(err); code == app.EConflict || code == app.EInvalid {
			s.flash(c, "error", app.ErrorMessage(err))
			return redirect(c, orDefault(safeNext(c.FormValue("next")), "/cart"))
		}
		return err
	}
	s.flash(c, "success", "Added to your cart.")
	return redirect(c, orDefault(safeNext(c.FormValue("next")), "/cart"))
}

func (s *Server) cartRemove(c echo.Context) error {
	if err := s.commerce.RemoveFromCart(c.Request().Context(), currentUser(c), formLine(c)); err != nil {
		return err
	}
	return redirect(c, "/cart")
}

func (s *Server) cartCheckout(c echo.Context) error {
	pay, _ := app.ParsePaymentMethod(c.FormValue("payment"))
	r, err := s.commerce.CheckoutCart(c.Request().Context(), currentUser(c), formKey(c), pay)
	return s.afterOrder(c, r, err, "/cart")
}

// buyNow orders one licence from the image page.
func (s *Server) buyNow(c echo.Context) error {
	pay, _ := app.ParsePaymentMethod(c.FormValue("payment"))
	line := commerce.Line{ImageID: c.Param("id"), License: app.LicenseTier(c.FormValue("license"))}
	r, err := s.commerce.CreateOrder(c.Request().Context(), currentUser(c), formKey(c), commerce.OrderRequest{Payment: pay, Items: []commerce.Line{line}})
	return s.afterOrder(c, r, err, orDefault(safeNext(c.FormValue("next")), "/cart"))
}

// afterOrder sends the buyer on after a purchase form: to the card page, to
// the paid order, or back with the reason it failed.
func (s *Server) afterOrder(c echo.Context, r *commerce.OrderResult, err error, back string) error {
	switch app.ErrorCode(err) {
	case "":
	case app.EInvalid, app.EConflict, app.EPayment:
		s.flash(c, "error", firstMessage(err))
		return redirect(c, back)
	default:
		return err
	}
	o := r.Order
	if o.Status == app.OrderPending && o.CheckoutURL != "" {
		return redirect(c, o.CheckoutURL)
	}
	if o.Status == app.OrderPaid && !r.Replayed {
		s.flash(c, "success", "Thank you: your licences are ready to download.")
	}
	return redirect(c, "/orders/"+o.PublicID)
}

// firstMessage is what to tell a person about a refused form: the message
// of a field (these forms have one that can be wrong), else the error's.
// fullMessage is an error's message followed by its fields' messages, for a
// flash that must say everything that was wrong.
func fullMessage(err error) string {
	msg := app.ErrorMessage(err)
	for _, m := range app.ErrorFields(err) {
		msg += " " + m
	}
	return msg
}

func firstMessage(err error) string {
	for _, m := range app.ErrorFields(err) {
		return m
	}
	return app.ErrorMessage(err)
}

type orderPage struct {
	Page
	Receipt   *commerce.Receipt
	Cancelled bool
}

// orderPage shows an order: once paid, its printable receipt.
func (s *Server) orderPage(c echo.Context) error {
	r, err := s.commerce.Receipt(c.Request().Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	title := "Order " + r.Order.PublicID
	if r.Paid() {
		title = "Receipt for order " + r.Order.PublicID
	}
	return s.renderPage(c, http.StatusOK, pageOrder, &orderPage{Page: s.page(c, title), Receipt: r, Cancelled: c.QueryParam("cancelled") != ""})
}

type licensesPage struct {
	Page
	Licenses []commerce.HeldLicense
	Orders   []app.Order
	pager    // of the orders
}

const licensesPerPage = 200

// licensesPage lists the buyer's licences and, page by page, every order
// with a link to its receipt.
func (s *Server) licensesPage(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	lics, err := s.commerce.Licenses(ctx, u, licensesPerPage, 0)
	if err != nil {
		return err
	}
	pageNum := pageParam(c)
	orders, total, err := s.commerce.Orders(ctx, u, ordersPerPage, (pageNum-1)*ordersPerPage)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, pageLicenses, &licensesPage{
		Page: s.page(c, "Your licences"), Licenses: lics, Orders: orders, pager: newPager(c, pageNum, ordersPerPage, total),
	})
}

// licensesCSV exports every licence the buyer ever bought, valid or
// refunded, for their books. Prices are in cents.
func (s *Server) licensesCSV(c echo.Context) error {
	recs, err := s.commerce.LicenseRecords(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	rows := [][]string{{"code", "image_id", "image_title", "license", "purchased_at", "price_cents", "order_id", "status"}}
	for _, r := range recs {
		var id, title string
		if r.Image != nil {
			id, title = r.Image.PublicID, r.Image.Title
		}
		status := "valid"
		if !r.License.Valid() {
			status = "refunded"
		}
		rows = append(rows, []string{
			r.License.Code, id, title, string(r.License.Tier), r.License.CreatedAt.UTC().Format(time.RFC3339),
			itoa(r.License.PriceCents), r.OrderPublicID, status,
		})
	}
	return writeCSV(c, "snapshop-licenses.csv", rows)
}

type verifyPage struct {
	Page
	V *commerce.Verification
}

// licenseVerify is the public page that proves a licence: anyone holding a
// code can check who licensed what, at which tier, and when.
func (s *Server) licenseVerify(c echo.Context) error {
	v, err := s.commerce.Verify(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, pageVerify, &verifyPage{Page: s.page(c, "Licence "+v.License.Code), V: v})
}

// licenseCertificate is the printable certificate, for the licensee (and admins).
func (s *Server) licenseCertificate(c echo.Context) error {
	v, err := s.commerce.Verify(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	u := currentUser(c)
	if u.ID != v.License.BuyerID && !u.Can(app.RoleAdmin) {
		return app.Errorf(app.ENotFound, "No licence with that code.")
	}
	return s.renderPage(c, http.StatusOK, pageCertificate, &verifyPage{Page: s.page(c, "Licence certificate "+v.License.Code), V: v})
}

type walletPage struct {
	Page
	Wallet *commerce.Wallet
	Packs  []commerce.Pack
	Key    string
}

func (s *Server) walletPage(c echo.Context) error {
	w, err := s.commerce.Wallet(c.Request().Context(), currentUser(c), 100, 0)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, pageWallet, &walletPage{Page: s.page(c, "Your wallet"), Wallet: w, Packs: s.commerce.Packs(), Key: newFormKey()})
}

func (s *Server) walletTopUp(c echo.Context) error {
	r, err := s.commerce.TopUp(c.Request().Context(), currentUser(c), formKey(c), c.FormValue("pack"))
	return s.afterOrder(c, r, err, "/wallet")
}

type sandboxPage struct {
	Page
	Order *app.Order
	Error string
}

func (s *Server) sandboxCheckout(c echo.Context) error {
	o, err := s.commerce.SandboxCheckout(c.Request().Context(), currentUser(c), c.Param("session"))
	if err != nil {
		return err
	}
	if o.Status != app.OrderPending {
		return redirect(c, "/orders/"+o.PublicID)
	}
	return s.renderPage(c, http.StatusOK, pageSandbox, &sandboxPage{Page: s.page(c, "Pay by card (sandbox)"), Order: o})
}

func (s *Server) sandboxPay(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	o, err := s.commerce.SandboxPay(ctx, u, c.Param("session"), c.FormValue("card"))
	switch app.ErrorCode(err) {
	case "":
	case app.EInvalid, app.EPayment:
		pending, lerr := s.commerce.SandboxCheckout(ctx, u, c.Param("session"))
		if lerr != nil {
			return lerr
		}
		msg := firstMessage(err)
		status := http.StatusUnprocessableEntity
		if app.ErrorCode(err) == app.EPayment {
			status = http.StatusPaymentRequired
		}
		return s.renderPage(c, status, pageSandbox, &sandboxPage{Page: s.page(c, "Pay by card (sandbox)"), Order: pending, Error: msg})
	default:
		return err
	}
	if o.Kind == app.OrderTopUp {
		s.flash(c, "success", "Payment received: your wallet was topped up.")
		return redirect(c, "/wallet")
	}
	s.flash(c, "success", "Payment received: your licences are ready to download.")
	return redirect(c, "/orders/"+o.PublicID)
}

// webhook receives a payment provider's notifications. It needs no session
// and no CSRF token: the provider's signature is the authentication.
func (s *Server) webhook(c echo.Context) error {
	body, err := readBody(c, 1<<16)
	if err != nil {
		return err
	}
	if err := s.commerce.Webhook(c.Request().Context(), c.Param("provider"), body, c.Request().Header); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"received": true})
}

type earningsPage struct {
	Page
	Earnings  *commerce.Earnings
	PayoutMin int64
}

func (s *Server) earningsPage(c echo.Context) error {
	e, err := s.commerce.Earnings(c.Request().Context(), currentUser(c), 200, 0)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, pageEarnings, &earningsPage{Page: s.page(c, "Your earnings"), Earnings: e, PayoutMin: s.commerce.PayoutMinCents(c.Request().Context())})
}

func (s *Server) requestPayout(c echo.Context) error {
	p, err := s.commerce.RequestPayout(c.Request().Context(), currentUser(c))
	if code := app.ErrorCode(err); code == app.EConflict {
		s.flash(c, "error", app.ErrorMessage(err))
		return redirect(c, "/contribute/earnings")
	} else if err != nil {
		return err
	}
	s.flash(c, "success", "Payout of "+money(p.AmountCents)+" requested. We will let you know when it is paid.")
	return redirect(c, "/contribute/earnings")
}

// earningsCSV exports every sale line.
func (s *Server) earningsCSV(c echo.Context) error {
	e, err := s.commerce.Earnings(c.Request().Context(), currentUser(c), 0, 0)
	if err != nil {
		return err
	}
	rows := [][]string{{"date", "order", "image_id", "image_title", "license", "gross_cents", "fee_cents", "platform_cents", "your_share_cents", "status"}}
	for _, l := range e.Sales {
		rows = append(rows, []string{
			l.PaidAt.UTC().Format("2006-01-02T15:04:05Z"), l.OrderPublicID, l.ImagePublicID, l.ImageTitle, string(l.License),
			itoa(l.PriceCents), itoa(l.FeeCents), itoa(l.PlatformCents), itoa(l.ContributorCents), string(l.Status),
		})
	}
	return writeCSV(c, "snapshop-earnings.csv", rows)
}

type payoutsPage struct {
	Page
	Requested []commerce.PayoutLine
	Paid      []commerce.PayoutLine
}

func (s *Server) adminPayouts(c echo.Context) error {
	ctx := c.Request().Context()
	req, err := s.commerce.Payouts(ctx, app.PayoutRequested)
	if err != nil {
		return err
	}
	paid, err := s.commerce.Payouts(ctx, app.PayoutPaid)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, pageAdminPayouts, &payoutsPage{Page: s.page(c, "Payouts"), Requested: req, Paid: paid})
}

// readBody reads a whole request body of at most limit bytes.
func readBody(c echo.Context, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(c.Request().Body, limit+1))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, app.Errorf(app.ETooLarge, "The request is larger than allowed.")
		}
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, app.Errorf(app.ETooLarge, "The request is larger than allowed.")
	}
	return b, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeCSV sends rows as a CSV attachment. Cells that a spreadsheet would
// run as a formula are prefixed with a quote (CSV injection).
func writeCSV(c echo.Context, filename string, rows [][]string) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	for _, r := range rows {
		for i, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				r[i] = "'" + cell
			}
		}
		if err := w.Write(r); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	w.Flush()
	return w.Error()
}
