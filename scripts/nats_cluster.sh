#!/usr/bin/env bash
# A 3-node NATS JetStream cluster on loopback, for trying scale-out, for
# the benchmark and for tests: three nats-server processes, each with its
# own client, cluster (route) and monitoring port and its own store dir.
#
#   scripts/nats_cluster.sh start DIR [BASE_PORT]
#       Starts the nodes under DIR/n1..n3 and waits until the cluster has a
#       JetStream meta leader. Ports: BASE_PORT, +1, +2 for clients, +10..12
#       for routes, +20..22 for monitoring; without BASE_PORT the kernel
#       picks free ones. Prints the --store URL for vouchstream-server on
#       the last line, and writes it to DIR/store_url:
#         nats://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3?stream=VOUCHSTREAM&replicas=3
#   scripts/nats_cluster.sh stop DIR        # SIGTERM each node, wait
#   scripts/nats_cluster.sh kill DIR N      # SIGKILL node N (1..3): a crash
#   scripts/nats_cluster.sh restart DIR N   # start node N again, same ports
#   scripts/nats_cluster.sh status DIR      # per node: pid and /healthz
#
# STREAM (default VOUCHSTREAM) names the stream in the printed URL.
set -euo pipefail

usage() { sed -n '2,20p' "$0" >&2; exit 2; }

[[ $# -ge 2 ]] || usage
command=$1
dir=$(realpath -m "$2")
stream=${STREAM:-VOUCHSTREAM}

free_ports() {
  # Bind them all at once so they are distinct, then let go: a tiny race
  # with other programs, acceptable for a loopback test cluster.
  python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

node_port() { sed -n "${2}p" "$dir/ports.$1"; }

start_node() {
  local n=$1
  local routes=()
  for m in 1 2 3; do
    [[ $m == "$n" ]] || routes+=("nats://127.0.0.1:$(node_port cluster "$m")")
  done
  mkdir -p "$dir/n$n/store"
  nats-server -js -a 127.0.0.1 \
    -p "$(node_port client "$n")" \
    -m "$(node_port http "$n")" \
    --server_name "n$n" --cluster_name vouchstream \
    --cluster "nats://127.0.0.1:$(node_port cluster "$n")" \
    --routes "$(IFS=,; echo "${routes[*]}")" \
    -sd "$dir/n$n/store" -l "$dir/n$n/nats.log" \
    </dev/null >/dev/null 2>&1 &
  echo $! > "$dir/n$n/pid"
}

pid_of() { cat "$dir/n$1/pid" 2>/dev/null || true; }

healthy() {
  curl -fsS "http://127.0.0.1:$(node_port http "$1")/healthz" >/dev/null 2>&1
}

wait_healthy() {
  # JetStream answers only once the nodes have elected a meta leader;
  # /healthz says so. Bounded: 30 s.
  local deadline=$((SECONDS + 30))
  for n in "$@"; do
    until healthy "$n"; do
      if (( SECONDS >= deadline )); then
        echo "nats_cluster: node n$n not healthy after 30 s; see $dir/n$n/nats.log" >&2
        return 1
      fi
      sleep 0.1
    done
  done
}

store_url() {
  local servers=()
  for n in 1 2 3; do servers+=("127.0.0.1:$(node_port client "$n")"); done
  echo "nats://$(IFS=,; echo "${servers[*]}")?stream=$stream&replicas=3"
}

case $command in
  start)
    mkdir -p "$dir"
    if [[ $# -ge 3 ]]; then
      base=$3
      printf '%s\n' "$base" "$((base + 1))" "$((base + 2))" > "$dir/ports.client"
      printf '%s\n' "$((base + 10))" "$((base + 11))" "$((base + 12))" > "$dir/ports.cluster"
      printf '%s\n' "$((base + 20))" "$((base + 21))" "$((base + 22))" > "$dir/ports.http"
    else
      read -r -a ports <<< "$(free_ports 9)"
      printf '%s\n' "${ports[@]:0:3}" > "$dir/ports.client"
      printf '%s\n' "${ports[@]:3:3}" > "$dir/ports.cluster"
      printf '%s\n' "${ports[@]:6:3}" > "$dir/ports.http"
    fi
    for n in 1 2 3; do start_node "$n"; done
    wait_healthy 1 2 3
    store_url > "$dir/store_url"
    store_url
    ;;
  stop)
    for n in 1 2 3; do
      pid=$(pid_of "$n")
      [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
    done
    for n in 1 2 3; do
      pid=$(pid_of "$n")
      [[ -n $pid ]] || continue
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/n$n/pid"
    done
    ;;
  kill)
    [[ $# -ge 3 ]] || usage
    pid=$(pid_of "$3")
    [[ -n $pid ]] && kill -9 "$pid"
    ;;
  restart)
    [[ $# -ge 3 ]] || usage
    start_node "$3"
    wait_healthy "$3"
    ;;
  status)
    for n in 1 2 3; do
      pid=$(pid_of "$n")
      if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        state=running
        healthy "$n" && state="$state, healthy" || state="$state, not healthy"
      else
        state=stopped
      fi
      echo "n$n client=$(node_port client "$n") pid=${pid:-none} $state"
    done
    ;;
  *) usage ;;
esac
