-- Lightboxes: named, ordered collections of images an account keeps for a
-- project, shareable with a client by a link whose token is stored only as
-- its SHA-256. A client's mark and comment live on each item.
CREATE TABLE lightboxes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id  TEXT     NOT NULL,
    owner_id   INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT     NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    share_hash TEXT,             -- hex SHA-256 of the share token; NULL: not shared
    shared_at  DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX lightboxes_public_id_key ON lightboxes (public_id);
CREATE UNIQUE INDEX lightboxes_share_hash_key ON lightboxes (share_hash);
CREATE INDEX lightboxes_owner_idx ON lightboxes (owner_id, updated_at);

CREATE TABLE lightbox_items (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    lightbox_id    INTEGER  NOT NULL REFERENCES lightboxes (id) ON DELETE CASCADE,
    image_id       INTEGER  NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    position       INTEGER  NOT NULL,
    client_mark    TEXT     NOT NULL DEFAULT '' CHECK (client_mark IN ('', 'approved', 'rejected')),
    client_comment TEXT     NOT NULL DEFAULT '' CHECK (length(client_comment) <= 1000),
    marked_at      DATETIME,
    created_at     DATETIME NOT NULL
);
-- An image is in a lightbox once: adding it again changes nothing.
CREATE UNIQUE INDEX lightbox_items_image_key ON lightbox_items (lightbox_id, image_id);
CREATE INDEX lightbox_items_position_idx ON lightbox_items (lightbox_id, position);
CREATE INDEX lightbox_items_image_idx ON lightbox_items (image_id);
