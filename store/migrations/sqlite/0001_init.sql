-- Times are INTEGER microseconds since the Unix epoch, UTC (NULL = unknown).

CREATE TABLE items (
    seq          INTEGER PRIMARY KEY,          -- stable rowid: the FTS index refers to it
    source       TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    url          TEXT    NOT NULL DEFAULT '',
    title        TEXT    NOT NULL DEFAULT '',
    text         TEXT    NOT NULL DEFAULT '',
    lang         TEXT    NOT NULL DEFAULT '',
    published    INTEGER NOT NULL,
    fetched_at   INTEGER NOT NULL,
    duplicate_of TEXT,                         -- id of the earlier item with the same content
    UNIQUE (source, id)
);
CREATE INDEX items_content ON items (source, content_hash, fetched_at);
CREATE INDEX items_published ON items (published);

-- Full-text index over title and text: a contentless FTS5 table (the text
-- lives in items only) keyed by items.seq. unicode61 folds case and the
-- diacritics of Latin letters (chargé = charge) but not ё, so ё is indexed
-- as е and SearchItems folds queries the same way.
--
-- SaveItems indexes the rows it inserted with one INSERT … SELECT at the end
-- of each batch rather than an AFTER INSERT trigger: FTS5 flushes its
-- pending terms at every statement that touches it, and a flush per row
-- made many tiny segments and cut SaveItems to a few hundred items/s.
-- Updates and deletes (rare: edits, retention) are kept in sync here.
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    DELETE FROM items_fts WHERE rowid = old.seq;
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items BEGIN
    DELETE FROM items_fts WHERE rowid = old.seq;
    INSERT INTO items_fts (rowid, title, text) VALUES (new.seq,
        replace(replace(new.title, 'ё', 'е'), 'Ё', 'Е'),
        replace(replace(new.text, 'ё', 'е'), 'Ё', 'Е'));
END;

CREATE TABLE source_state (
    id                   TEXT    PRIMARY KEY,
    etag                 TEXT    NOT NULL DEFAULT '',
    last_modified        TEXT    NOT NULL DEFAULT '',
    cursor               TEXT    NOT NULL DEFAULT '',
    last_success         INTEGER,
    last_attempt         INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT    NOT NULL DEFAULT '',
    next_poll            INTEGER,
    seen                 INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    source     TEXT    NOT NULL,
    item_id    TEXT    NOT NULL,
    rule_id    TEXT    NOT NULL,
    ruleset_id TEXT    NOT NULL DEFAULT '',
    severity   TEXT    NOT NULL DEFAULT '',
    highlights TEXT    NOT NULL DEFAULT '[]',  -- JSON
    countries  TEXT    NOT NULL DEFAULT '[]',  -- JSON
    created_at INTEGER NOT NULL,
    UNIQUE (source, item_id, rule_id),
    FOREIGN KEY (source, item_id) REFERENCES items (source, id)
);
CREATE INDEX alerts_created ON alerts (created_at);

CREATE TABLE subscriptions (
    platform     TEXT    NOT NULL,
    chat         TEXT    NOT NULL,
    topic        TEXT    NOT NULL DEFAULT '',
    target       TEXT    NOT NULL,
    min_severity TEXT    NOT NULL DEFAULT '',
    muted_until  INTEGER,
    static       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, chat, topic, target)
);

CREATE TABLE chat_state (
    platform     TEXT    NOT NULL,
    chat         TEXT    NOT NULL,
    paused_at    INTEGER,
    pause_reason TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (platform, chat)
);
