#!/usr/bin/env bash
# imago-bench: builds the load-test harness if needed (benchmarks/harness, its own Maven project), then runs it.
#   benchmarks/bench.sh run boot-storm --endpoint http://127.0.0.1:9292
#   benchmarks/bench.sh compare boot-storm --a http://127.0.0.1:9590 --b http://127.0.0.1:9393 --rounds 5 --with-nginx
# Set BENCH_REBUILD=1 to rebuild after changing the harness. JAVA_OPTS go to the harness's JVM.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
JAR="$HERE/harness/target/imago-bench.jar"
if [ ! -f "$JAR" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  "$HERE/../mvnw" -B -q -f "$HERE/harness/pom.xml" -DskipTests package >&2
fi
exec java ${JAVA_OPTS:-} -jar "$JAR" "$@"
