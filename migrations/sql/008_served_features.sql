-- The served-feature log of `strata serve --log-sample R` (docs/served-feature-log.md): one row per
-- entity row of each sampled request, appended by binary COPY. Append-only and time-ordered, so a
-- BRIN index on the serving time is enough for window queries and costs little to maintain. The JSON
-- columns are `json`, not `jsonb`: PostgreSQL only checks json on the way in, where building jsonb
-- costs it 3 to 4 times as much per row, which a server logging every request pays on its own cores.
CREATE TABLE strata_served_features (
    request_id    text             NOT NULL,
    row_index     integer          NOT NULL,
    served_at     timestamptz      NOT NULL,
    as_of         timestamptz      NOT NULL,
    project       text             NOT NULL,
    route         text             NOT NULL CHECK (route IN ('get-online-features', 'predict')),
    entities      json             NOT NULL,
    features      json             NOT NULL,
    statuses      json             NOT NULL,
    model         text,
    model_version integer,
    prediction    double precision
);
CREATE INDEX strata_served_features_served_at ON strata_served_features USING brin (served_at);
