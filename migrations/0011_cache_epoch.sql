-- A random number fixed when the database is created, part of every response-cache key with the
-- dataset versions (mixed with the database's OID: service/db/queries/ingest.sql cache_versions).
-- Versions start again from zero in a recreated database (a test, a new deployment sharing a
-- Redis): the epoch keeps their cache keys from meeting the answers an older database left there.
CREATE TABLE cache_epoch (
    epoch bigint NOT NULL,
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row)
);

INSERT INTO cache_epoch (epoch) VALUES ((random() * 9.0e15)::bigint + 1);
