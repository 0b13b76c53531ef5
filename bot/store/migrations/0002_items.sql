-- 0002: knowledge items imported from official catalogues (service-public.fr).
-- Hand-written items live in YAML files; imported ones live here so that a
-- re-import can tell new, changed, unchanged and removed sheets apart.

CREATE TABLE items (
    id          TEXT    PRIMARY KEY,  -- the sheet id, e.g. F1342
    origin      TEXT    NOT NULL,     -- the catalogue, e.g. service-public
    hash        TEXT    NOT NULL,     -- hex sha256 of body_json
    body_json   TEXT    NOT NULL,     -- knowledge.Item without file position
    imported_at INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    retired_at  INTEGER              -- set when the sheet left the catalogue
);

CREATE INDEX items_origin ON items (origin, retired_at);
