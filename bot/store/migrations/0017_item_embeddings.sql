-- 0017: embeddings of knowledge items, computed by an embedding model
-- (optional, llm.features: embeddings) at import and used by the search
-- to find sheets by meaning. One row per item and model, so that changing
-- the model does not mix vectors of different spaces. content_hash is the
-- hash of the text embedded: an item whose text did not change is not
-- sent to the model again. Items are public sheets, not personal data:
-- nothing here is erased with a person.

CREATE TABLE item_embeddings (
    item_id      TEXT    NOT NULL,  -- knowledge.Item.ID, imported or hand-written
    model        TEXT    NOT NULL,  -- the embedding model's name
    content_hash TEXT    NOT NULL,  -- llm.ContentHash of the text embedded
    dims         INTEGER NOT NULL,
    vector       BLOB    NOT NULL,  -- dims little-endian float32
    PRIMARY KEY (item_id, model)
);
