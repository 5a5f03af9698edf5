-- What `shortflow sync` has done per source and file: the memory that makes it resumable.
-- A row is written after its file's ingest committed (status 'ingested'), or when the source
-- answered "no such file" ('not_published': asked again on the next sync) or failed ('failed',
-- with the reason). A sync killed mid-file leaves no row for it, so the next run does it again; the
-- ingest itself is one transaction and idempotent by checksum, so nothing is half-applied.
CREATE TABLE sync_item (
    source        text NOT NULL CHECK (source ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    item_key      text NOT NULL CHECK (length(item_key) BETWEEN 1 AND 200),
    status        text NOT NULL CHECK (status IN ('ingested', 'not_published', 'failed')),
    url           text NOT NULL,
    sha256        text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    ingest_run_id bigint REFERENCES ingest_run (id) ON DELETE SET NULL,
    attempts      integer NOT NULL DEFAULT 1 CHECK (attempts > 0),
    error         text,
    checked_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, item_key)
);

CREATE INDEX sync_item_checked_idx ON sync_item (source, checked_at DESC);
