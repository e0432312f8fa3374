-- Digests: chats that take some alerts only in a digest, the chats'
-- digest schedules and the digests sent (see 0001 for the conventions).

-- digest_only: the chat gets the subscription's alerts only in its
-- digest, not as they come.
ALTER TABLE subscriptions ADD COLUMN digest_only INTEGER NOT NULL DEFAULT 0;

-- One row per chat (the whole address, "telegram:-100…/3", "slack:C0123")
-- with a digest schedule: its own (a chat command) or the config's
-- (static = 1). cron '' is a chat that turned digests off, which overrides
-- the config. since is when the schedule (cron, tz) took effect: the first
-- digest covers from there. last_due is the latest scheduled time a digest
-- was queued for, so replicas and restarts queue each time once.
CREATE TABLE digest_schedules (
    chat     TEXT    PRIMARY KEY,
    cron     TEXT    NOT NULL,               -- five cron fields; '' = off
    tz       TEXT    NOT NULL DEFAULT '',    -- IANA time zone
    quiet    TEXT    NOT NULL DEFAULT '',    -- '' or 'skip'
    static   INTEGER NOT NULL DEFAULT 0,
    since    INTEGER NOT NULL,
    last_due INTEGER                         -- NULL: none queued yet
);

-- One row per digest of a chat, keyed by the time it was due: a retried
-- job finds the period [period_from, period_to) its first attempt chose
-- and how many of its messages (parts) were sent. sent_at is set once it
-- is done.
CREATE TABLE digests (
    chat        TEXT    NOT NULL,
    due         INTEGER NOT NULL,
    period_from INTEGER NOT NULL,
    period_to   INTEGER NOT NULL,
    parts       INTEGER NOT NULL DEFAULT 0,
    alerts      INTEGER NOT NULL DEFAULT 0,
    sent_at     INTEGER,
    PRIMARY KEY (chat, due)
);
