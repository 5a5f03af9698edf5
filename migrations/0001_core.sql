-- Reference tables every dataset uses: the trading calendar, dataset versions (cache keys),
-- ingest runs and the rows they rejected.

-- NYSE trading sessions. Filled and refreshed by `shortflow migrate` from the NYSE calendar of the
-- `holidays` library: weekly flow labels, the price look-back of short value and the FINRA
-- schedule all need "trading day" inside SQL.
CREATE TABLE trading_day (
    date date PRIMARY KEY
);

-- One counter per dataset, bumped in the same transaction as every ingest that changes it.
-- The response cache puts these numbers in its keys, so an ingest makes older answers unreachable.
CREATE TABLE dataset_version (
    dataset    text PRIMARY KEY,
    version    bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO dataset_version (dataset)
VALUES ('securities'), ('short_interest'), ('short_volume'), ('prices'), ('flows'), ('members');

-- Every ingest attempt. `options` holds what changes the meaning of a file besides its bytes
-- (e.g. the index and fund of a holdings file), so the same bytes under other options are a new run.
CREATE TABLE ingest_run (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL,
    format        text,
    file_name     text NOT NULL,
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    options       jsonb NOT NULL DEFAULT '{}',
    status        text NOT NULL CHECK (status IN ('applied', 'failed')),
    rows_read     integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_accepted integer NOT NULL DEFAULT 0 CHECK (rows_accepted >= 0),
    rows_rejected integer NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    error         text
);

-- A file is applied at most once per kind and options: the idempotency rule of ingest.
CREATE UNIQUE INDEX ingest_run_applied_once ON ingest_run (kind, sha256, options)
    WHERE status = 'applied';
CREATE INDEX ingest_run_started_idx ON ingest_run (started_at DESC);

-- Rows an ingest could not accept, kept with enough context to fix the source.
CREATE TABLE rejected_row (
    ingest_run_id bigint NOT NULL REFERENCES ingest_run (id) ON DELETE CASCADE,
    line_number   integer NOT NULL CHECK (line_number > 0),
    raw           text NOT NULL,
    reason        text NOT NULL,
    PRIMARY KEY (ingest_run_id, line_number)
);
