-- Search: the change log the index tails, rebuild requests, and the columns
-- search sorts and filters on.
ALTER TABLE images ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0; -- 0: the platform's default price
ALTER TABLE images ADD COLUMN sales INTEGER NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN views INTEGER NOT NULL DEFAULT 0;

-- One row per change to anything searchable, written in the same transaction
-- as the change. created_at is the database's clock, so that every server
-- process measures the overlap window against one clock.
CREATE TABLE search_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id   INTEGER  NOT NULL,
    created_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX search_changes_created_idx ON search_changes (created_at);

-- Requests to rebuild every server's index (`snapshop reindex`).
CREATE TABLE search_rebuilds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    requested_at DATETIME NOT NULL
);

-- Small shared facts about search, e.g. how far the change log was pruned.
CREATE TABLE search_state (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
