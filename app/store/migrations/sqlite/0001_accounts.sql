-- Accounts, browser sessions and API tokens.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    public_id     TEXT     NOT NULL,
    username      TEXT     NOT NULL,
    email         TEXT     NOT NULL,
    password_hash TEXT     NOT NULL,
    role          TEXT     NOT NULL CHECK (role IN ('buyer', 'contributor', 'admin')),
    status        TEXT     NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX users_public_id_key ON users (public_id);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_role_idx ON users (role, created_at);

-- scs session data; the token column holds the SHA-256 of the cookie value.
CREATE TABLE sessions (
    token  TEXT     PRIMARY KEY,
    data   BLOB     NOT NULL,
    expiry DATETIME NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    public_id    TEXT     NOT NULL,
    user_id      INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT     NOT NULL,
    name         TEXT     NOT NULL,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME
);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE UNIQUE INDEX api_tokens_public_id_key ON api_tokens (public_id);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
