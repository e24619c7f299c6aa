#!/usr/bin/env bash
# Generates a campaigns database of about SIZE_MB (default 1024) MB: the service's own schema (migrated by one start
# of the service), the 12 canonical campaigns, then user campaigns of realistic width until the file is that big.
#   bench/gen-db.sh DATA_DIR [SIZE_MB]
source "$(dirname "$0")/lib.sh"
DATA="${1:?usage: gen-db.sh DATA_DIR [SIZE_MB]}"; SIZE_MB="${2:-1024}"
DB="$DATA/campaigns.db"

if [[ ! -f "$DB" ]]; then
  port=$(free_port); start_api "$DATA" "$port"; wait_ready "$port"; stop_api
fi
rows_per_mb=1700 # measured: about 600 bytes a row with both indexes
while (( $(stat -c %s "$DB") < SIZE_MB * 1024 * 1024 )); do
  have=$(( $(stat -c %s "$DB") / 1024 / 1024 ))
  batch=$(( (SIZE_MB - have) * rows_per_mb )); (( batch > 200000 )) && batch=200000; (( batch < 1000 )) && batch=1000
  start=$(sqlite3 "$DB" 'SELECT coalesce(max(Id), 0) FROM campaigns;')
  sqlite3 "$DB" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
WITH RECURSIVE n(i) AS (SELECT $start + 1 UNION ALL SELECT i + 1 FROM n WHERE i < $start + $batch)
INSERT INTO campaigns (Key, Name, Property, Active, Description, OfferUrl, ImageUrl, CallToAction, Priority, Source, CreatedAt, UpdatedAt)
SELECT 'gen-' || i, 'Generated campaign ' || i, CASE i % 3 WHEN 0 THEN 'mmm' WHEN 1 THEN 'abc' ELSE 'xyz' END, 0,
       'Generated for the backup benchmark: ' || hex(randomblob(150)),
       'https://offers.example.com/generated/' || i, 'https://cdn.example.com/generated/' || i || '.png', 'Read more',
       100000 + i, 'User', '2026-11-23 10:00:00', '2026-11-23 10:00:00' FROM n;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
  log "$(( $(stat -c %s "$DB") / 1024 / 1024 )) MiB, $(sqlite3 "$DB" 'SELECT count(*) FROM campaigns;') campaigns"
done
