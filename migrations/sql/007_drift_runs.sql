-- Drift checks saved with `strata drift --save NAME`: the dataset's verdict, then one row per
-- column with its test, the histogram the report draws (bin edges and both windows' counts) and
-- both windows' mergeable profiles (counts, extremes, mean and M2, a histogram whose bins carry
-- their edges, category counts), so that a window's profile can be built from its days'.
CREATE TABLE strata_drift_runs (
    id               bigserial        PRIMARY KEY,
    project          text             NOT NULL,
    name             text             NOT NULL,
    service          text,
    reference        text             NOT NULL,
    current          text             NOT NULL,
    reference_rows   bigint           NOT NULL,
    current_rows     bigint           NOT NULL,
    tested_columns   integer          NOT NULL,
    drifted_columns  integer          NOT NULL,
    share            double precision NOT NULL,
    dataset_drifted  boolean          NOT NULL,
    result           jsonb            NOT NULL,
    created_at       timestamptz      NOT NULL DEFAULT now()
);

CREATE INDEX strata_drift_runs_by_service ON strata_drift_runs (project, service, created_at);

CREATE TABLE strata_drift_columns (
    run_id             bigint           NOT NULL REFERENCES strata_drift_runs (id) ON DELETE CASCADE,
    position           integer          NOT NULL,
    name               text             NOT NULL,
    kind               text             NOT NULL CHECK (kind IN ('numerical', 'categorical')),
    status             text             NOT NULL CHECK (status IN ('tested', 'no_data')),
    test               text,
    statistic          double precision,
    threshold          double precision,
    drifted            boolean          NOT NULL,
    histogram          jsonb            NOT NULL,
    reference_profile  jsonb            NOT NULL,
    current_profile    jsonb            NOT NULL,
    PRIMARY KEY (run_id, position)
);
