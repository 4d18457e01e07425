#!/usr/bin/env bash
# Back up and restore the portal: a PostgreSQL dump plus the uploaded media, with checksums.
#
#   bench/drills/backup.sh backup  DATABASE_URL MEDIA_ROOT BACKUP_DIR
#   bench/drills/backup.sh restore BACKUP_DIR  DATABASE_URL MEDIA_ROOT
#
# backup: pg_dump in the custom format (one consistent snapshot, restorable table by table) and
# a tar of MEDIA_ROOT, then SHA256SUMS over both. restore: checks the sums, restores the dump in
# one transaction into DATABASE_URL (an empty database) and unpacks the media into MEDIA_ROOT;
# any error stops it with nothing half-restored in the database. bench/drills/restore.py runs both
# and checks that the restored site serves the same articles and view totals.
set -euo pipefail

usage() { sed -n '4,5p' "$0" | sed 's/^# *//' >&2; exit 2; }

backup() {
  local url=$1 media=$2 dir=$3
  mkdir -p "$dir"
  pg_dump --format=custom --no-owner --no-acl --dbname="$url" --file="$dir/database.dump"
  if [ -d "$media" ]; then
    tar -C "$media" -czf "$dir/media.tar.gz" .
  else
    tar -czf "$dir/media.tar.gz" --files-from=/dev/null
  fi
  (cd "$dir" && sha256sum database.dump media.tar.gz > SHA256SUMS)
  echo "backup in $dir: $(du -sh "$dir" | cut -f1), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

restore() {
  local dir=$1 url=$2 media=$3
  (cd "$dir" && sha256sum --check --quiet SHA256SUMS) || { echo "checksums differ: $dir" >&2; exit 1; }
  pg_restore --no-owner --no-acl --exit-on-error --single-transaction --dbname="$url" \
    "$dir/database.dump"
  mkdir -p "$media"
  tar -C "$media" -xzf "$dir/media.tar.gz"
  echo "restored $dir into $url and $media"
}

[ $# -eq 4 ] || usage
case $1 in
  backup) backup "$2" "$3" "$4" ;;
  restore) restore "$2" "$3" "$4" ;;
  *) usage ;;
esac
