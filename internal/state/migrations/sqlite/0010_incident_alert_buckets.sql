-- The index from an incident to its alerts was keyed by incident first,
-- so a batch of alerts joining hundreds of incidents rewrote hundreds of
-- index pages: a third of every commit. It is now keyed by the alert's
-- time bucket (10 minutes) first: a batch's entries land together on the
-- few pages of the current buckets.
--
-- Reading an incident's alerts then needs the buckets its alerts fall
-- in. incident_alert_spans keeps, per incident, a range of buckets that
-- covers every alert row whose incident_id it is (placed there or moved
-- there): the store widens it in the transaction that writes an alert
-- row outside it, by an hour beyond that alert, so that an incident
-- taking alerts for hours rewrites its span once an hour rather than at
-- every alert (a read seeks the few empty buckets this adds). Spans never
-- shrink: one wider than its alerts costs only a few more seeks. (A
-- trigger kept them too, but cost 9 µs per alert row even when the span
-- already covered it: the store remembers spans and skips those.)

CREATE TABLE incident_alert_spans (
    incident_id INTEGER PRIMARY KEY,
    lo          INTEGER NOT NULL,
    hi          INTEGER NOT NULL
);

INSERT INTO incident_alert_spans (incident_id, lo, hi)
    SELECT incident_id, min(time) / 600000000 - 6, max(time) / 600000000 + 6 FROM incident_alerts GROUP BY incident_id;

DROP INDEX incident_alerts_incident;
CREATE INDEX incident_alerts_bucket ON incident_alerts (time / 600000000, incident_id, time);
