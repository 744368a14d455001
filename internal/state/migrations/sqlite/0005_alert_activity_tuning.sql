-- Alert deduplication and tuning. An alert (a row of AlertInfo in the
-- event store) stands for every time its rule fired on the same impacted
-- entities within the deduplication window; alert_activity counts those
-- occurrences, alert_occurrences remembers which triggering rows were
-- already counted (so a row read again is not counted twice) and keeps
-- the first rows as the alert's triggering events.

CREATE TABLE alert_activity (
    alert_id       TEXT    PRIMARY KEY,
    rule_id        TEXT    NOT NULL,
    count          INTEGER NOT NULL,
    first_activity INTEGER NOT NULL,
    last_activity  INTEGER NOT NULL,
    stored_rows    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE alert_occurrences (
    occurrence_id TEXT    PRIMARY KEY,
    alert_id      TEXT    NOT NULL,
    activity      INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    row           TEXT
);

CREATE INDEX alert_occurrences_alert ON alert_occurrences (alert_id, activity);
CREATE INDEX alert_occurrences_recorded ON alert_occurrences (recorded_at);

-- Alert tuning rules: conditions over an alert and its evidence, an
-- action (hide or resolve), an expiry; the definition is JSON.
CREATE TABLE alert_tuning_rules (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    definition TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    hits       INTEGER NOT NULL DEFAULT 0,
    last_hit   INTEGER,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
