-- The analyst's workflow on alerts: the alerts themselves live in the
-- event store (AlertInfo, AlertEvidence); their status, assignee and
-- classification, and the comments on them, live here.

CREATE TABLE alert_state (
    alert_id       TEXT    PRIMARY KEY,
    status         TEXT    NOT NULL,
    assignee       TEXT    NOT NULL DEFAULT '',
    classification TEXT    NOT NULL DEFAULT '',
    determination  TEXT    NOT NULL DEFAULT '',
    version        INTEGER NOT NULL,
    updated_by     TEXT    NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE alert_comments (
    id         INTEGER PRIMARY KEY,
    alert_id   TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX alert_comments_alert ON alert_comments (alert_id, id);
