-- Incidents: groups of correlated alerts and the analyst's work on them.
-- The alerts themselves live in the event store (AlertInfo,
-- AlertEvidence); incident_alerts keeps what correlation needs of each
-- (time, entities) and why it joined its incident. List-valued columns
-- hold JSON arrays of strings.

CREATE TABLE incidents (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    severity          TEXT    NOT NULL,
    severity_rank     INTEGER NOT NULL,
    status            TEXT    NOT NULL,
    assignee          TEXT    NOT NULL DEFAULT '',
    classification    TEXT    NOT NULL DEFAULT '',
    determination     TEXT    NOT NULL DEFAULT '',
    tags              TEXT    NOT NULL DEFAULT '[]',
    system_tags       TEXT    NOT NULL DEFAULT '[]',
    categories        TEXT    NOT NULL DEFAULT '[]',
    techniques        TEXT    NOT NULL DEFAULT '[]',
    devices           TEXT    NOT NULL DEFAULT '[]',
    users             TEXT    NOT NULL DEFAULT '[]',
    mailboxes         TEXT    NOT NULL DEFAULT '[]',
    apps              TEXT    NOT NULL DEFAULT '[]',
    ips               TEXT    NOT NULL DEFAULT '[]',
    service_sources   TEXT    NOT NULL DEFAULT '[]',
    detection_sources TEXT    NOT NULL DEFAULT '[]',
    investigations    TEXT    NOT NULL DEFAULT '[]',
    actions           TEXT    NOT NULL DEFAULT '[]',
    alert_count       INTEGER NOT NULL,
    entity_count      INTEGER NOT NULL,
    first_activity    INTEGER,
    last_activity     INTEGER,
    redirect_to       INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    resolved_at       INTEGER,
    version           INTEGER NOT NULL
);

CREATE INDEX incidents_last_activity ON incidents (last_activity, id);
CREATE INDEX incidents_updated ON incidents (updated_at, id);
CREATE INDEX incidents_status ON incidents (status, id);

CREATE TABLE incident_alerts (
    alert_id         TEXT    PRIMARY KEY,
    incident_id      INTEGER NOT NULL,
    time             INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    severity         TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    service_source   TEXT    NOT NULL,
    detection_source TEXT    NOT NULL,
    techniques       TEXT    NOT NULL,
    entities         TEXT    NOT NULL,
    reasons          TEXT    NOT NULL,
    linked_at        INTEGER NOT NULL
);

CREATE INDEX incident_alerts_incident ON incident_alerts (incident_id, time);

CREATE TABLE incident_comments (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL,
    author      TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE INDEX incident_comments_incident ON incident_comments (incident_id, id);

CREATE TABLE incident_activity (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL,
    time        INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    details     TEXT    NOT NULL DEFAULT '{}'
);

CREATE INDEX incident_activity_incident ON incident_activity (incident_id, id);
