# shellcheck shell=bash
# Sourced by check-format.sh and apply-format.sh: the one definition of which files gsinv's C
# format covers and of the clang-format that lays them out.

format_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Every *.c and *.h under these directories of the source tree. Nothing there is generated:
# gsinv_version.h is made from src/gsinv_version.h.in in the build directory.
format_dirs=(src include tests)
# The major version .clang-format is written for (Debian 12's clang-format, the one CI runs).
format_major=14

# Prints the files, relative to $format_top, one per line, in a fixed order.
format_files() {
  (cd "$format_top" && find "${format_dirs[@]}" -type f \( -name '*.c' -o -name '*.h' \) -print | LC_ALL=C sort)
}

# Runs clang-format on the given files with gsinv's .clang-format (named explicitly: a missing
# file is an error, not a silent fallback to another style).
format_run() {
  "$CLANG_FORMAT" --style="file:$format_top/.clang-format" "$@"
}

# Sets CLANG_FORMAT: $CLANG_FORMAT (meson passes the one it found), else clang-format on PATH.
# Returns 1, saying why, when there is none or it is not version $format_major.
format_find_clang_format() {
  local major
  CLANG_FORMAT=${CLANG_FORMAT:-$(command -v clang-format || true)}
  if [ -z "$CLANG_FORMAT" ] || ! command -v "$CLANG_FORMAT" >/dev/null; then
    echo "${0##*/}: clang-format not found (jobs/setup.sh installs Debian's clang-format)" >&2
    return 1
  fi
  major=$("$CLANG_FORMAT" --version | sed -n 's/.*clang-format version \([0-9][0-9]*\).*/\1/p')
  if [ "$major" != "$format_major" ]; then
    echo "${0##*/}: $CLANG_FORMAT is clang-format ${major:-of unknown version}; gsinv's format is defined by" \
      "clang-format $format_major (another major version lays the same code out differently)" >&2
    return 1
  fi
}
