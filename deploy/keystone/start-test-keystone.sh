#!/usr/bin/env bash
# Starts Debian's Keystone (package `keystone`) on loopback for Imago's tests and CI: sqlite, fernet
# tokens, one uWSGI server per instance, state in one directory. Two instances share the database
# and the fernet keys (so each validates the other's tokens):
#   main  - normal token lifetime (1 h); Imago validates tokens here.
#   short - tokens that expire after IMAGO_TEST_KEYSTONE_SHORT_EXPIRATION seconds (default 8),
#           for expired-token and long-upload tests.
# The test users, projects, roles, the image service with its endpoint and unified limits are
# created by bootstrap-test-keystone.py; what it created is written to $dir/keystone.json.
#
# Usage: start-test-keystone.sh [start|stop|status]   (default: start; idempotent, reuses a
# running instance and the existing database)
# Environment:
#   IMAGO_TEST_KEYSTONE_DIR               state directory (default: ${TMPDIR:-/tmp}/imago-test-keystone-<uid>)
#   IMAGO_TEST_KEYSTONE_PORT              port of the main instance (default: a free one, kept in the state dir)
#   IMAGO_TEST_KEYSTONE_SHORT_PORT        port of the short-lived-token instance (default: a free one)
#   IMAGO_TEST_KEYSTONE_SHORT_EXPIRATION  token lifetime of the short instance, seconds (default 8)
#   IMAGO_TEST_KEYSTONE_IMAGE_URL         the image endpoint registered in the catalog (default http://127.0.0.1:9292)
# On success `start` prints the path of keystone.json. Never expose these instances: the
# passwords are fixed test values.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
dir="${IMAGO_TEST_KEYSTONE_DIR:-${TMPDIR:-/tmp}/imago-test-keystone-$(id -u)}"
short_expiration="${IMAGO_TEST_KEYSTONE_SHORT_EXPIRATION:-8}"
image_url="${IMAGO_TEST_KEYSTONE_IMAGE_URL:-http://127.0.0.1:9292}"
admin_password="admin-test-secret"
action="${1:-start}"

die() {
  echo "start-test-keystone: $*" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# pid of a running instance, or nothing
running_pid() {
  local pidfile="$dir/$1.pid"
  [ -s "$pidfile" ] || return 0
  local pid
  pid="$(cat "$pidfile")"
  # alive and still our uWSGI master (a stale pid file may name a reused pid)
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$dir/$1.conf"; then
    echo "$pid"
  fi
}

answers() {
  python3 - "$1" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:%s/v3" % sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}

stop_instance() {
  local pid
  pid="$(running_pid "$1")"
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/$1.pid"
}

write_conf() { # name expiration database
  cat >"$dir/$1.conf" <<EOF
[DEFAULT]
log_file = $dir/$1-keystone.log
use_stderr = false
debug = false

[database]
connection = sqlite:///$dir/$3

[token]
provider = fernet
expiration = $2

[fernet_tokens]
key_repository = $dir/fernet-keys

[fernet_receipts]
key_repository = $dir/fernet-keys

[credential]
key_repository = $dir/credential-keys

[cache]
# in-process: token validations and role lookups are several times faster
enabled = true
backend = dogpile.cache.memory

[catalog]
# the endpoint of the image service is moved by tests; each uWSGI worker has its own cache
caching = false

[unified_limit]
enforcement_model = flat

[oslo_policy]
# Keystone's in-code defaults; not Debian's /etc/keystone/policy.d
policy_file = $dir/policy.yaml
policy_dirs = $dir/policy.d
EOF
}

start_instance() { # name port
  local name="$1" port="$2"
  if [ -n "$(running_pid "$name")" ] && answers "$port"; then
    return 0
  fi
  stop_instance "$name"
  # A plain uWSGI command line, not Debian's keystone-uwsgi.ini (that one wants the keystone system
  # user, AppArmor and /var/log/keystone). Two processes: Imago validates tokens while tests log in.
  uwsgi --plugin python3 --http-socket "127.0.0.1:$port" --wsgi-file "$(command -v keystone-wsgi-public)" \
    --chdir "$dir" --master --processes 2 --threads 2 --enable-threads --lazy-apps --die-on-term \
    --buffer-size 65535 --add-header "Connection: close" --env "OS_KEYSTONE_CONFIG_FILES=$dir/$name.conf" \
    --pidfile "$dir/$name.pid" --daemonize2 "$dir/$name-requests.log" >/dev/null 2>&1 9>&- \
    || die "uwsgi failed to start $name (see $dir/$name-requests.log)"
  # --daemonize2 writes the pid file once the master forked; wait for it
  for _ in $(seq 1 100); do
    [ -s "$dir/$name.pid" ] && break
    sleep 0.1
  done
}

wait_for() { # name port
  for _ in $(seq 1 600); do
    if answers "$2"; then
      return 0
    fi
    sleep 0.1
  done
  die "keystone $1 does not answer on port $2 after 60 s (see $dir/$1-requests.log and $dir/$1-keystone.log)"
}

case "$action" in
  stop)
    stop_instance main
    stop_instance short
    exit 0
    ;;
  status)
    [ -n "$(running_pid main)" ] && [ -n "$(running_pid short)" ] && echo "running" && exit 0
    echo "stopped"
    exit 1
    ;;
  start) ;;
  *) die "usage: $0 [start|stop|status]" ;;
esac

command -v keystone-manage >/dev/null 2>&1 || die "keystone is not installed (apt-get install keystone)"
command -v uwsgi >/dev/null 2>&1 || die "uwsgi is not installed (apt-get install uwsgi-core uwsgi-plugin-python3)"
mkdir -p "$dir/policy.d"
# One starter at a time (two test JVMs may start it together).
exec 9>"$dir/.lock"
flock 9

# Fresh ports whenever nothing runs: a port kept from an earlier run may be someone else's now.
if [ ! -s "$dir/ports" ] || { [ -z "$(running_pid main)" ] && [ -z "$(running_pid short)" ]; }; then
  echo "${IMAGO_TEST_KEYSTONE_PORT:-$(free_port)} ${IMAGO_TEST_KEYSTONE_SHORT_PORT:-$(free_port)}" >"$dir/ports"
fi
read -r port short_port <"$dir/ports"
write_conf main 3600 keystone.db
write_conf short "$short_expiration" short.db

if [ ! -e "$dir/.initialized" ]; then
  mkdir -p "$dir/fernet-keys" "$dir/credential-keys"
  manage=(keystone-manage --config-file "$dir/main.conf")
  "${manage[@]}" db_sync >>"$dir/setup.log" 2>&1 || die "db_sync failed (see $dir/setup.log)"
  "${manage[@]}" fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >>"$dir/setup.log" 2>&1 \
    || die "fernet_setup failed (see $dir/setup.log)"
  "${manage[@]}" credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" >>"$dir/setup.log" 2>&1 \
    || die "credential_setup failed (see $dir/setup.log)"
  "${manage[@]}" bootstrap --bootstrap-password "$admin_password" \
    --bootstrap-admin-url "http://127.0.0.1:$port/v3" --bootstrap-internal-url "http://127.0.0.1:$port/v3" \
    --bootstrap-public-url "http://127.0.0.1:$port/v3" --bootstrap-region-id RegionOne >>"$dir/setup.log" 2>&1 \
    || die "bootstrap failed (see $dir/setup.log)"
  # Write-ahead log: Keystone 22 leaves read transactions open on pooled connections, which in
  # sqlite's default journal mode fails every later write with "database is locked".
  python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' "$dir/keystone.db"
  touch "$dir/.initialized"
fi

start_instance main "$port"
wait_for main "$port"
if [ -z "$(running_pid short)" ] || ! answers "$short_port" || [ ! -s "$dir/keystone.json" ]; then
  python3 "$here/bootstrap-test-keystone.py" --url "http://127.0.0.1:$port/v3" \
    --short-url "http://127.0.0.1:$short_port/v3" --short-expiration "$short_expiration" \
    --admin-password "$admin_password" --image-url "$image_url" --out "$dir/keystone.json" >>"$dir/setup.log" 2>&1 \
    || die "creating the test users, projects and limits failed (see $dir/setup.log)"
  # The short instance gets a copy of the database: sqlite shared by two servers ends in "database
  # is locked". Fernet tokens carry only ids, which the copy shares, so each instance validates the
  # other's tokens.
  stop_instance short
  python3 -c 'import sqlite3, sys; s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2]); s.backup(d)' \
    "$dir/keystone.db" "$dir/short.db"
fi
start_instance short "$short_port"
wait_for short "$short_port"
echo "$dir/keystone.json"
