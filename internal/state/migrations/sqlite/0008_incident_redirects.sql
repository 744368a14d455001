-- A merge no longer rewrites the merged incident's alert rows: an alert
-- row keeps the incident it was placed in, and its current incident is
-- found by following redirect_to to an incident that is not redirected.
-- Reading an incident's alerts walks the chain the other way, from the
-- incident to those merged into it: this index serves that walk.

CREATE INDEX incidents_redirect ON incidents (redirect_to) WHERE redirect_to <> 0;
