-- Daily Reg SHO files append a day to every security's month row (service/sources/short_volume).
-- With full pages each append writes the row's new version to another page and a new primary-key
-- entry, so the key grows bloated through the month and every file costs more than the one before.
-- Pages kept 30% free let the new version stay on its page (a HOT update: no index entry, the old
-- version pruned in place): the cost per file stays flat through the month (docs/benchmarks.md).
-- Only rows written from now on get the free space; older months are final.
ALTER TABLE short_volume_month SET (fillfactor = 70);
