-- `shortflow sync`: an item the host has no data for (Stooq's `No data` for a symbol it does not
-- know) is recorded as such, done for that item rather than asked again at every run.
ALTER TABLE sync_item DROP CONSTRAINT sync_item_status_check;
ALTER TABLE sync_item ADD CONSTRAINT sync_item_status_check
    CHECK (status IN ('ingested', 'not_published', 'failed', 'no_data'));
