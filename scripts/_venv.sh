# Sourced by scripts/run and scripts/test: make .venv from the project's own files.
# Reinstalls when pyproject.toml or constraints.txt changed since the last install.
# $1: the extras to install ("" or "test").
ensure_venv() {
  local extras="$1" marker=".venv/.installed-${1:-base}"
  if [ -x .venv/bin/python ] && [ "$marker" -nt pyproject.toml ] && [ "$marker" -nt constraints.txt ]; then
    return 0
  fi
  local python="${PYTHON:-python3}"
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "moviebot needs Python 3.11 or newer" >&2; exit 1; }
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".${extras:+[$extras]}"
  touch "$marker"
}
