// Package commerce sells licences: prices, the cart, orders, wallet top-ups,
// payments through a Provider (the built-in sandbox or Stripe), licences and
// signed download links. Money moves only through package ledger.
package commerce
