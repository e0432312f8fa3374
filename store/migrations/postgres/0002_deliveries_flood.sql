-- Mirrors migrations/sqlite/0002_deliveries_flood.sql.

ALTER TABLE alerts ADD COLUMN folded TEXT NOT NULL DEFAULT '[]';

CREATE TABLE deliveries (
    alert_id     BIGINT      NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    chat         TEXT        NOT NULL,
    delivered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (alert_id, chat)
);
CREATE INDEX deliveries_delivered ON deliveries (delivered_at);
