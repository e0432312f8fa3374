-- Delivery records and flood summaries (see 0001 for the conventions).

-- A flood summary (DESIGN.md §6) is an alert with rule_id '' whose folded
-- column lists, as a JSON array, the ids of the alerts it stands for; '[]'
-- for every other alert. Its item is the first folded alert's item, and
-- UNIQUE (source, item_id, rule_id) lets that item have one summary beside
-- its ordinary alerts, whose rule_id is never ''.
ALTER TABLE alerts ADD COLUMN folded TEXT NOT NULL DEFAULT '[]';  -- JSON

-- One row per alert and chat (the whole address, "telegram:-100…/3") that
-- the platform accepted: a delivery job that runs again finds it and sends
-- nothing. Deleting an alert deletes its records.
CREATE TABLE deliveries (
    alert_id     INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    chat         TEXT    NOT NULL,
    delivered_at INTEGER NOT NULL,
    PRIMARY KEY (alert_id, chat)
);
CREATE INDEX deliveries_delivered ON deliveries (delivered_at);
