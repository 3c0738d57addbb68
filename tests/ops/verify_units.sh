#!/usr/bin/env bash
# Checks deploy/systemd/*.service with systemd's own tools (issue 23, item
# 8), on a copy whose ExecStart names the built binaries (verify refuses a
# unit whose binary does not exist):
#   - `systemd-analyze verify --man=no`: must exit 0 AND print nothing,
#     because it only warns (exit 0) on an unknown key or a bad value;
#   - `systemd-analyze security --offline=yes --threshold=20`: the
#     hardening's exposure score must stay at 2.0 or below (the option counts tenths: 20; 1.2 today).
# Neither needs systemd as PID 1: both read the unit files only.
#   verify_units.sh UNIT_DIR BIN_DIR
set -euo pipefail
unit_dir=$1
bin_dir=$2
command -v systemd-analyze >/dev/null || {
  echo "systemd-analyze not installed" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for name in server gateway; do
  unit=vouchstream-$name.service
  sed "s|/usr/local/bin/vouchstream-$name|$bin_dir/vouchstream-$name|" \
    "$unit_dir/$unit" >"$work/$unit"
  grep -q "$bin_dir/vouchstream-$name" "$work/$unit" || {
    echo "$unit: ExecStart does not name /usr/local/bin/vouchstream-$name" >&2
    exit 1
  }
done
status=0
output=$(systemd-analyze verify --man=no "$work"/*.service 2>&1) || status=$?
if [[ $status -ne 0 || -n "$output" ]]; then
  echo "systemd-analyze verify (exit $status):" >&2
  echo "$output" >&2
  exit 1
fi
for unit in "$work"/*.service; do
  if ! report=$(systemd-analyze security --offline=yes --threshold=20 \
    "$unit" 2>&1); then
    echo "$report" >&2
    echo "$(basename "$unit"): exposure above 2.0 (threshold 20 tenths)" >&2
    exit 1
  fi
  echo "$report" | tail -1
done
echo "units verified"
