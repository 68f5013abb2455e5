-- A blob about to be written, recorded before the write and deleted in the
-- same transaction as the row that references the blob. After a crash, the
-- intents left over name every blob that may be an orphan, so the sweep never
-- has to list the whole store.
CREATE TABLE blob_intents (
    key        TEXT     PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX blob_intents_created_idx ON blob_intents (created_at);
