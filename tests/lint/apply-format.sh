#!/bin/bash
# Formats in place, with clang-format 14 and .clang-format, every file of gsinv's C format
# (format-common.sh: *.c and *.h under src/, include/, tests/) and lists the files it changed.
# Usage, from anywhere: tests/lint/apply-format.sh   (CLANG_FORMAT=/path/to/clang-format-14 to choose one)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/format-common.sh"
format_find_clang_format || exit 1
mapfile -t files < <(format_files)
changed=0
for f in "${files[@]}"; do
  before=$(cksum <"$format_top/$f")
  format_run -i "$format_top/$f"
  if [ "$(cksum <"$format_top/$f")" != "$before" ]; then
    echo "formatted $f"
    changed=$((changed + 1))
  fi
done
echo "apply-format: $changed of ${#files[@]} files changed"
