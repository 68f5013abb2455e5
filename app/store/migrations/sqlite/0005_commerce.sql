-- Commerce: orders, their items, licences, carts, payment notifications,
-- and the double-entry ledger. Uniqueness that money depends on is enforced
-- here, not in code: an idempotency key per buyer, a provider's event ID, a
-- valid licence per buyer × image × tier, a ledger transaction per reason.
ALTER TABLE users ADD COLUMN share_bp INTEGER NOT NULL DEFAULT 0; -- contributor's share in basis points; 0: the platform default

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id        TEXT     NOT NULL,
    buyer_id         INTEGER  NOT NULL REFERENCES users (id),
    kind             TEXT     NOT NULL CHECK (kind IN ('licenses', 'topup')),
    status           TEXT     NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'refunded')),
    payment          TEXT     NOT NULL CHECK (payment IN ('wallet', 'card')),
    total_cents      INTEGER  NOT NULL CHECK (total_cents > 0),
    credit_cents     INTEGER  NOT NULL DEFAULT 0,
    fee_cents        INTEGER  NOT NULL DEFAULT 0,
    currency         TEXT     NOT NULL,
    idempotency_key  TEXT     NOT NULL,
    request_hash     TEXT     NOT NULL,
    provider         TEXT     NOT NULL DEFAULT '',
    provider_session TEXT     NOT NULL DEFAULT '',
    checkout_url     TEXT     NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    paid_at          DATETIME
);
CREATE UNIQUE INDEX orders_public_id_key ON orders (public_id);
CREATE UNIQUE INDEX orders_idempotency_key_key ON orders (buyer_id, idempotency_key);
CREATE INDEX orders_buyer_idx ON orders (buyer_id, created_at);
CREATE INDEX orders_status_idx ON orders (status, created_at);
CREATE INDEX orders_session_idx ON orders (provider, provider_session);

CREATE TABLE order_items (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id          INTEGER  NOT NULL REFERENCES orders (id),
    image_id          INTEGER  NOT NULL REFERENCES images (id),
    contributor_id    INTEGER  NOT NULL REFERENCES users (id),
    license           TEXT     NOT NULL CHECK (license IN ('standard', 'extended')),
    price_cents       INTEGER  NOT NULL CHECK (price_cents > 0),
    share_bp          INTEGER  NOT NULL,
    contributor_cents INTEGER  NOT NULL,
    platform_cents    INTEGER  NOT NULL,
    fee_cents         INTEGER  NOT NULL DEFAULT 0,
    created_at        DATETIME NOT NULL,
    CHECK (contributor_cents + platform_cents = price_cents)
);
CREATE UNIQUE INDEX order_items_line_key ON order_items (order_id, image_id, license);
CREATE INDEX order_items_contributor_idx ON order_items (contributor_id, created_at);
CREATE INDEX order_items_image_idx ON order_items (image_id);

CREATE TABLE licenses (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT     NOT NULL,
    order_id      INTEGER  NOT NULL REFERENCES orders (id),
    order_item_id INTEGER  NOT NULL REFERENCES order_items (id),
    buyer_id      INTEGER  NOT NULL REFERENCES users (id),
    image_id      INTEGER  NOT NULL REFERENCES images (id),
    tier          TEXT     NOT NULL CHECK (tier IN ('standard', 'extended')),
    price_cents   INTEGER  NOT NULL,
    created_at    DATETIME NOT NULL,
    revoked_at    DATETIME
);
CREATE UNIQUE INDEX licenses_code_key ON licenses (code);
CREATE UNIQUE INDEX licenses_order_item_key ON licenses (order_item_id);
-- One valid licence per buyer, image and tier: no interleaving of two
-- checkouts can sell the same thing twice.
CREATE UNIQUE INDEX licenses_holding_key ON licenses (buyer_id, image_id, tier) WHERE revoked_at IS NULL;
CREATE INDEX licenses_buyer_idx ON licenses (buyer_id, created_at);

CREATE TABLE cart_items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    buyer_id   INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    image_id   INTEGER  NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    license    TEXT     NOT NULL CHECK (license IN ('standard', 'extended')),
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX cart_items_line_key ON cart_items (buyer_id, image_id, license);

-- Every payment notification acted on, so a replay is recognised.
CREATE TABLE payment_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    provider    TEXT     NOT NULL,
    event_id    TEXT     NOT NULL,
    order_id    TEXT     NOT NULL DEFAULT '',
    type        TEXT     NOT NULL,
    received_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX payment_events_event_key ON payment_events (provider, event_id);

CREATE TABLE ledger_accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL CHECK (kind IN ('wallet', 'payable', 'payouts', 'revenue', 'clearing', 'fees')),
    owner_id      INTEGER NOT NULL DEFAULT 0, -- the user, for owned kinds; 0 for the platform's
    currency      TEXT    NOT NULL,
    balance_cents INTEGER NOT NULL DEFAULT 0, -- cached sum of the account's entries
    CHECK (kind NOT IN ('wallet', 'payouts') OR balance_cents >= 0)
);
CREATE UNIQUE INDEX ledger_accounts_account_key ON ledger_accounts (kind, owner_id, currency);

CREATE TABLE ledger_transactions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT     NOT NULL,
    reference  TEXT     NOT NULL, -- the order, payout or event it records
    memo       TEXT     NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
-- One transaction per reason: an order is sold once, refunded once.
CREATE UNIQUE INDEX ledger_transactions_reference_key ON ledger_transactions (kind, reference);

CREATE TABLE ledger_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id INTEGER  NOT NULL REFERENCES ledger_transactions (id),
    account_id     INTEGER  NOT NULL REFERENCES ledger_accounts (id),
    amount_cents   INTEGER  NOT NULL CHECK (amount_cents <> 0),
    order_item_id  INTEGER REFERENCES order_items (id),
    created_at     DATETIME NOT NULL
);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, id);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);

-- Entries are never edited or deleted: a correction is a new transaction.
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;

CREATE TABLE payouts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id      TEXT     NOT NULL,
    contributor_id INTEGER  NOT NULL REFERENCES users (id),
    amount_cents   INTEGER  NOT NULL CHECK (amount_cents > 0),
    status         TEXT     NOT NULL CHECK (status IN ('requested', 'paid')),
    created_at     DATETIME NOT NULL,
    paid_at        DATETIME
);
CREATE UNIQUE INDEX payouts_public_id_key ON payouts (public_id);
-- At most one open request per contributor.
CREATE UNIQUE INDEX payouts_open_key ON payouts (contributor_id) WHERE status = 'requested';
CREATE INDEX payouts_status_idx ON payouts (status, created_at);
