#!/usr/bin/env bash
# Back up the database and the note photos into one folder.
#   scripts/backup.sh [DEST]      (DEST defaults to backups/<timestamp>)
# PostgreSQL (DATABASE_URL=postgres://...): pg_dump in custom format.
# SQLite (default): sqlite3's online .backup, consistent while the app runs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && set -a && . ./.env && set +a
dest=${1:-backups/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$dest"
url=${DATABASE_URL:-}
case "$url" in
  postgres://*|postgresql://*)
    pg_dump --format=custom --no-owner --file "$dest/database.pgdump" "$url"
    echo "PostgreSQL dump: $dest/database.pgdump"
    ;;
  ""|sqlite://*)
    db=${url#sqlite:///}
    db=${db:-db.sqlite3}
    sqlite3 "$db" ".backup '$dest/db.sqlite3'"
    sqlite3 "$dest/db.sqlite3" "PRAGMA integrity_check;" | grep -qx ok
    echo "SQLite copy: $dest/db.sqlite3 (integrity ok)"
    ;;
  *) echo "Unsupported DATABASE_URL: $url" >&2; exit 2 ;;
esac
media=${MEDIA_ROOT:-media}
if [ -d "$media" ]; then
  tar -czf "$dest/media.tar.gz" -C "$media" .
  echo "Photos: $dest/media.tar.gz"
fi
