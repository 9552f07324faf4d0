#!/usr/bin/env bash
# The action's install step: put gatelint in ~/.gatelint/bin (the cached folder) unless the
# cache restored it, and that folder on PATH for the steps after.
#
# Environment: INSTALL (release or cargo), VERSION (resolve.sh's concrete version; empty:
# build the action's source), CACHE_HIT (`true` when the cache restored the folder),
# RELEASE_URL (empty: install.sh's default).
set -euo pipefail

action=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
root=$HOME/.gatelint
bin=$root/bin
version=${VERSION:-}
exe=gatelint
case $(uname -s) in
  MINGW* | MSYS* | CYGWIN*) exe=gatelint.exe ;;
esac

if [ "${CACHE_HIT:-}" = true ] && [ -f "$bin/$exe" ]; then
  echo "gatelint action: $bin/$exe restored from the cache"
else
  case ${INSTALL:-release} in
    release)
      [ -n "$version" ] || {
        echo "gatelint action: error: no version resolved" >&2
        exit 2
      }
      args=(--version "$version" --to "$bin")
      if [ -n "${RELEASE_URL:-}" ]; then
        args+=(--repo-url "$RELEASE_URL")
      fi
      sh "$action/install.sh" "${args[@]}"
      ;;
    cargo)
      if [ -n "$version" ]; then
        cargo install --locked --force --root "$root" gatelint --version "=$version"
      else
        cargo install --locked --force --root "$root" --path "$action"
      fi
      ;;
    *)
      echo "gatelint action: error: install must be release or cargo" >&2
      exit 2
      ;;
  esac
fi

entry=$bin
if command -v cygpath >/dev/null 2>&1; then
  entry=$(cygpath -w "$bin") # the runner reads GITHUB_PATH as a Windows path there
fi
echo "$entry" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
"$bin/$exe" --version
