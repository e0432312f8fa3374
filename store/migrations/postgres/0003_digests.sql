-- Mirrors migrations/sqlite/0003_digests.sql.

ALTER TABLE subscriptions ADD COLUMN digest_only BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE digest_schedules (
    chat     TEXT        PRIMARY KEY,
    cron     TEXT        NOT NULL,
    tz       TEXT        NOT NULL DEFAULT '',
    quiet    TEXT        NOT NULL DEFAULT '',
    static   BOOLEAN     NOT NULL DEFAULT FALSE,
    since    TIMESTAMPTZ NOT NULL,
    last_due TIMESTAMPTZ
);

CREATE TABLE digests (
    chat        TEXT        NOT NULL,
    due         TIMESTAMPTZ NOT NULL,
    period_from TIMESTAMPTZ NOT NULL,
    period_to   TIMESTAMPTZ NOT NULL,
    parts       INTEGER     NOT NULL DEFAULT 0,
    alerts      INTEGER     NOT NULL DEFAULT 0,
    sent_at     TIMESTAMPTZ,
    PRIMARY KEY (chat, due)
);
