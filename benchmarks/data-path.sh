#!/usr/bin/env bash
# Data-path figures for Imago against references measured in the same run:
#   download: one curl stream of a SIZE image from Imago vs nginx (sendfile on) serving the same
#             bytes, interleaved A/B ROUNDS times; the median of each and their ratio.
#   upload:   PUT of the same file into a new image (Imago computes MD5 + SHA-512 on the fly and
#             fsyncs) vs the machine's hashing ceiling measured in the same round: `openssl md5` and
#             `openssl sha512` of the same file from page cache run at once (an upload needs both),
#             plus 2 and 4 uploads at once (aggregate MB/s), interleaved with the ceiling; and the
#             durable-write ceiling: `dd … conv=fsync` of the same file into the directory Imago
#             stores in, in the same round (an upload is durable before `active`, so it can go no
#             faster than the disk takes synced writes).
# Also reports the server CPU seconds each transfer cost (utime+stime from /proc).
#
# Usage: benchmarks/data-path.sh [SIZE_MIB] [ROUNDS]      (defaults: 1024 5; plus one warm-up round)
# Needs: java 17, curl, nginx, sha512sum, md5sum; builds target/imago-*-all.jar if missing.
# Everything it writes goes under ${BENCH_DIR:-${TMPDIR:-/tmp}/imago-bench}; ports 9590/9591.
set -euo pipefail
SIZE_MIB=${1:-1024}
ROUNDS=${2:-5}
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/imago-bench}
IMAGO_PORT=9590
NGINX_PORT=9591

need() { command -v "$1" >/dev/null || { echo "missing: $1" >&2; exit 1; }; }
for c in java curl nginx sha512sum md5sum openssl python3; do need "$c"; done

JAR=$(ls "$ROOT"/target/imago-*-all.jar 2>/dev/null | head -1 || true)
if [ -z "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package)
  JAR=$(ls "$ROOT"/target/imago-*-all.jar | head -1)
fi

rm -rf "$DIR"; mkdir -p "$DIR/www" "$DIR/nginx"
FILE="$DIR/www/image.raw"
echo "# generating ${SIZE_MIB} MiB of random data"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$FILE"

cpu_seconds() {  # utime+stime of a process and its threads, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mbps() { python3 -c "print(f'{$1 / 1e6:.0f}')"; }

cleanup() {
  [ -n "${IMAGO_PID:-}" ] && kill "$IMAGO_PID" 2>/dev/null && wait "$IMAGO_PID" 2>/dev/null || true
  [ -f "$DIR/nginx/nginx.pid" ] && kill "$(cat "$DIR/nginx/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

# --- nginx, serving the same file with sendfile
cat > "$DIR/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $DIR/nginx/tmp;
  proxy_temp_path $DIR/nginx/tmp;
  fastcgi_temp_path $DIR/nginx/tmp;
  uwsgi_temp_path $DIR/nginx/tmp;
  scgi_temp_path $DIR/nginx/tmp;
  server { listen 127.0.0.1:$NGINX_PORT; root $DIR/www; }
}
NGINX
mkdir -p "$DIR/nginx/tmp"
nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx"
NGINX_PID=$(cat "$DIR/nginx/nginx.pid")
NGINX_WORKER=$(pgrep -P "$NGINX_PID" | head -1)

# --- Imago, embedded PostgreSQL and file store under the bench dir
java -Xmx512m -jar "$JAR" serve --port "$IMAGO_PORT" --data-dir "$DIR/imago" > "$DIR/imago.log" 2>&1 &
IMAGO_PID=$!
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$IMAGO_PORT/versions" >/dev/null && break; sleep 0.5; done
BASE="http://127.0.0.1:$IMAGO_PORT/v2/images"
new_image() {
  curl -sf -X POST "$BASE" -H 'Content-Type: application/json' \
    -d '{"name":"bench","disk_format":"raw","container_format":"bare"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

echo "# hashing ceiling (file in page cache)"
cat "$FILE" > /dev/null
SHA_S=$( { /usr/bin/time -f %e sha512sum "$FILE" > /dev/null; } 2>&1 )
MD5_S=$( { /usr/bin/time -f %e md5sum "$FILE" > /dev/null; } 2>&1 )
BYTES=$((SIZE_MIB * 1024 * 1024))
# seconds for openssl md5 and openssl sha512 of the file, run at once (the two digests of an upload)
both_digests() {
  python3 - "$FILE" <<'PY'
import subprocess, sys, time
t = time.monotonic()
ps = [subprocess.Popen(["openssl", a, sys.argv[1]], stdout=subprocess.DEVNULL) for a in ("md5", "sha512")]
for p in ps:
    p.wait()
print(time.monotonic() - t)
PY
}
# seconds for dd to write the file durably next to Imago's store (same file system, fsync at the end)
durable_write() {
  python3 - "$FILE" "$DIR/imago/dd.out" <<'PY'
import subprocess, sys, time
t = time.monotonic()
subprocess.run(["dd", "if=" + sys.argv[1], "of=" + sys.argv[2], "bs=1M", "conv=fsync"],
               check=True, stderr=subprocess.DEVNULL)
print(time.monotonic() - t)
PY
  rm -f "$DIR/imago/dd.out"
}
# K uploads of the file at once into K new images; prints their aggregate bytes/s
uploads_at_once() {
  local k=$1 ids=() pids=() t0 t1
  for _ in $(seq "$k"); do ids+=("$(new_image)"); done
  t0=$(date +%s.%N)
  for id in "${ids[@]}"; do
    curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' -T "$FILE" "$BASE/$id/file" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { echo "an upload failed" >&2; exit 1; }; done
  t1=$(date +%s.%N)
  python3 -c "print($k * $BYTES / ($t1 - $t0))"
  for id in "${ids[@]}"; do curl -sf -o /dev/null -X DELETE "$BASE/$id"; done
}

# One upload and one download first, not counted: a server runs for weeks, and the first request
# after a start measures the JIT compiler, not the data path.
echo "# warm-up"
WID=$(new_image)
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' -T "$FILE" "$BASE/$WID/file"
curl -sf -o /dev/null "$BASE/$WID/file"
curl -sf -o /dev/null -X DELETE "$BASE/$WID"

echo "# upload x$ROUNDS, interleaved with the ceiling"
UP=(); UPCPU=(); CEIL=(); DISK=(); UP2=(); UP4=()
for _ in $(seq "$ROUNDS"); do
  CEIL+=("$(python3 -c "print($BYTES / $(both_digests))")")
  DISK+=("$(python3 -c "print($BYTES / $(durable_write))")")
  ID=$(new_image)
  c0=$(cpu_seconds "$IMAGO_PID")
  s=$(curl -sf -o /dev/null -w '%{speed_upload}' -X PUT -H 'Content-Type: application/octet-stream' \
      -T "$FILE" "$BASE/$ID/file")
  c1=$(cpu_seconds "$IMAGO_PID")
  UP+=("$s"); UPCPU+=("$(python3 -c "print($c1 - $c0)")")
  UP2+=("$(uploads_at_once 2)")
  UP4+=("$(uploads_at_once 4)")
done
# verify the last upload's digest against sha512sum
WANT=$(sha512sum "$FILE" | cut -d' ' -f1)
GOT=$(curl -sf "$BASE/$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["os_hash_value"])')
[ "$WANT" = "$GOT" ] || { echo "digest mismatch after upload" >&2; exit 1; }

echo "# download x$ROUNDS, interleaved Imago/nginx"
DI=(); DN=(); DICPU=(); DNCPU=()
for _ in $(seq "$ROUNDS"); do
  c0=$(cpu_seconds "$IMAGO_PID")
  DI+=("$(curl -sf -o /dev/null -w '%{speed_download}' "$BASE/$ID/file")")
  c1=$(cpu_seconds "$IMAGO_PID"); DICPU+=("$(python3 -c "print($c1 - $c0)")")
  c0=$(cpu_seconds "$NGINX_WORKER")
  DN+=("$(curl -sf -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$NGINX_PORT/image.raw")")
  c1=$(cpu_seconds "$NGINX_WORKER"); DNCPU+=("$(python3 -c "print($c1 - $c0)")")
done

up=$(printf '%s\n' "${UP[@]}" | median); upcpu=$(printf '%s\n' "${UPCPU[@]}" | median)
ceil=$(printf '%s\n' "${CEIL[@]}" | median); disk=$(printf '%s\n' "${DISK[@]}" | median)
up2=$(printf '%s\n' "${UP2[@]}" | median); up4=$(printf '%s\n' "${UP4[@]}" | median)
di=$(printf '%s\n' "${DI[@]}" | median); dicpu=$(printf '%s\n' "${DICPU[@]}" | median)
dn=$(printf '%s\n' "${DN[@]}" | median); dncpu=$(printf '%s\n' "${DNCPU[@]}" | median)
sha=$(python3 -c "print($BYTES / $SHA_S)"); md5=$(python3 -c "print($BYTES / $MD5_S)")

cat <<OUT

## data path, $(date -u +%Y-%m-%dT%H:%MZ), ${SIZE_MIB} MiB, median of $ROUNDS
machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)

| transfer | MB/s | server CPU s per transfer | ratio |
|---|---|---|---|
| download, nginx sendfile (reference) | $(mbps "$dn") | $(printf %.2f "$dncpu") | 1.00 |
| download, Imago GET /file | $(mbps "$di") | $(printf %.2f "$dicpu") | $(python3 -c "print(f'{$di / $dn:.2f}')") of nginx |
| hashing ceiling, openssl md5 ∥ openssl sha512 (reference) | $(mbps "$ceil") | - | 1.00 |
| (sha512sum alone / md5sum alone) | $(mbps "$sha") / $(mbps "$md5") | - | - |
| durable-write ceiling, dd conv=fsync into the store's file system (reference) | $(mbps "$disk") | - | 1.00 |
| upload, Imago PUT /file (MD5 + SHA-512 + fsync) | $(mbps "$up") | $(printf %.2f "$upcpu") | $(python3 -c "print(f'{$up / $ceil:.2f} of the hashing ceiling, {$up / $disk:.2f} of the durable-write ceiling')") |
| 2 uploads at once, aggregate | $(mbps "$up2") | - | $(python3 -c "print(f'{$up2 / $up:.2f}')") of one |
| 4 uploads at once, aggregate | $(mbps "$up4") | - | $(python3 -c "print(f'{$up4 / $up:.2f}')") of one |
OUT
