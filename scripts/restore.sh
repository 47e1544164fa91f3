#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database DATABASE_URL names.
#   scripts/restore.sh SRC
# Stop the app first. PostgreSQL: the target database must exist and be empty
# (createdb); SQLite: the file is replaced (the old one is kept as *.before-restore).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && set -a && . ./.env && set +a
src=${1:?usage: scripts/restore.sh BACKUP_FOLDER}
url=${DATABASE_URL:-}
case "$url" in
  postgres://*|postgresql://*)
    pg_restore --no-owner --exit-on-error --dbname "$url" "$src/database.pgdump"
    ;;
  ""|sqlite://*)
    db=${url#sqlite:///}
    db=${db:-db.sqlite3}
    [ -f "$db" ] && mv "$db" "$db.before-restore"
    sqlite3 "$src/db.sqlite3" ".backup '$db'"
    ;;
  *) echo "Unsupported DATABASE_URL: $url" >&2; exit 2 ;;
esac
if [ -f "$src/media.tar.gz" ]; then
  media=${MEDIA_ROOT:-media}
  mkdir -p "$media" && tar -xzf "$src/media.tar.gz" -C "$media"
fi
echo "Restored from $src"
