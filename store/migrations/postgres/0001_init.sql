-- Mirrors migrations/sqlite/0001_init.sql. Full-text search: tsv holds
-- to_tsvector('simple', …) of the title and text folded in Go (lower case,
-- diacritics removed), so no unaccent extension is needed.

CREATE TABLE items (
    seq          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       TEXT        NOT NULL,
    id           TEXT        NOT NULL,
    content_hash TEXT        NOT NULL,
    url          TEXT        NOT NULL DEFAULT '',
    title        TEXT        NOT NULL DEFAULT '',
    text         TEXT        NOT NULL DEFAULT '',
    lang         TEXT        NOT NULL DEFAULT '',
    published    TIMESTAMPTZ NOT NULL,
    fetched_at   TIMESTAMPTZ NOT NULL,
    duplicate_of TEXT,
    tsv          TSVECTOR    NOT NULL,
    UNIQUE (source, id)
);
CREATE INDEX items_content ON items (source, content_hash, fetched_at);
CREATE INDEX items_published ON items (published);
CREATE INDEX items_tsv ON items USING GIN (tsv);

CREATE TABLE source_state (
    id                   TEXT        PRIMARY KEY,
    etag                 TEXT        NOT NULL DEFAULT '',
    last_modified        TEXT        NOT NULL DEFAULT '',
    cursor               TEXT        NOT NULL DEFAULT '',
    last_success         TIMESTAMPTZ,
    last_attempt         TIMESTAMPTZ,
    consecutive_failures INTEGER     NOT NULL DEFAULT 0,
    last_error           TEXT        NOT NULL DEFAULT '',
    next_poll            TIMESTAMPTZ,
    seen                 BOOLEAN     NOT NULL DEFAULT FALSE
);

CREATE TABLE alerts (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source     TEXT        NOT NULL,
    item_id    TEXT        NOT NULL,
    rule_id    TEXT        NOT NULL,
    ruleset_id TEXT        NOT NULL DEFAULT '',
    severity   TEXT        NOT NULL DEFAULT '',
    highlights TEXT        NOT NULL DEFAULT '[]',
    countries  TEXT        NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (source, item_id, rule_id),
    FOREIGN KEY (source, item_id) REFERENCES items (source, id)
);
CREATE INDEX alerts_created ON alerts (created_at);

CREATE TABLE subscriptions (
    platform     TEXT        NOT NULL,
    chat         TEXT        NOT NULL,
    topic        TEXT        NOT NULL DEFAULT '',
    target       TEXT        NOT NULL,
    min_severity TEXT        NOT NULL DEFAULT '',
    muted_until  TIMESTAMPTZ,
    static       BOOLEAN     NOT NULL DEFAULT FALSE,
    PRIMARY KEY (platform, chat, topic, target)
);

CREATE TABLE chat_state (
    platform     TEXT        NOT NULL,
    chat         TEXT        NOT NULL,
    paused_at    TIMESTAMPTZ,
    pause_reason TEXT        NOT NULL DEFAULT '',
    PRIMARY KEY (platform, chat)
);
