#!/bin/bash
# Checks that every file of gsinv's C format (format-common.sh: *.c and *.h under src/, include/,
# tests/) is as clang-format 14 with .clang-format lays it out: lists the files that are not and
# exits 1, or exits 0. --diff also prints what would change. Exits 77 (a skip for meson) when
# clang-format 14 is not there. The meson test `format` (suite lint) runs it;
# tests/lint/apply-format.sh formats the files.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/format-common.sh"
show_diff=0
[ "${1:-}" = --diff ] && show_diff=1
format_find_clang_format || { echo "check-format: skipped"; exit 77; }
mapfile -t files < <(format_files)
[ ${#files[@]} -gt 0 ] || { echo "check-format: no files found under ${format_dirs[*]} of $format_top" >&2; exit 2; }
differ=()
for f in "${files[@]}"; do
  if ! out=$(format_run --dry-run -Werror "$format_top/$f" 2>&1); then
    # a violation is reported as [-Wclang-format-violations]; anything else is clang-format failing
    if ! grep -q -- '-Wclang-format-violations' <<<"$out"; then
      printf '%s\n' "$out" >&2
      echo "check-format: clang-format failed on $f" >&2
      exit 2
    fi
    differ+=("$f")
    [ $show_diff = 0 ] || diff -u --label "a/$f" --label "b/$f" "$format_top/$f" <(format_run "$format_top/$f") || true
  fi
done
if [ ${#differ[@]} -gt 0 ]; then
  echo "check-format: ${#differ[@]} of ${#files[@]} files differ from the format ($CLANG_FORMAT, .clang-format):"
  printf '  %s\n' "${differ[@]}"
  echo "check-format: tests/lint/apply-format.sh formats them; tests/lint/check-format.sh --diff shows the changes"
  exit 1
fi
echo "check-format: all ${#files[@]} files are formatted"
