#!/usr/bin/env bash
# The action's first step: which gatelint to install, and the key it is cached under.
#
# Environment (set from the inputs by action.yml, never interpolated into a script):
#   INSTALL      release (default) or cargo
#   VERSION      the `version` input: X.Y.Z, vX.Y.Z, latest, or empty
#   ACTION_REF   github.action_ref: the ref the workflow named the action by (`v1.2.3`, `main`)
#   RELEASE_URL  the repository whose releases install.sh reads (empty: install.sh's default)
#
# Outputs (to $GITHUB_OUTPUT):
#   version      the concrete version to install (never `latest`); empty when cargo builds the
#                action's own source
#   source-hash  with install: cargo and no version, sha256 over the action's Cargo.lock,
#                Cargo.toml and src/, which the build installs
#   key          <mode>-<version or source hash>: the cache key's tail, so a moved @main or a
#                new latest release never restores an older binary
#
# An empty version is the action's own tag when it was used as @vX.Y.Z, else `latest`
# (install: release); with install: cargo it builds the action's source.
set -euo pipefail

action=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
output=${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}
install=${INSTALL:-release}
version=${VERSION:-}
ref=${ACTION_REF:-}
tag_re='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$'

fail() {
  echo "gatelint action: error: $*" >&2
  exit 2
}

case $install in
  release | cargo) ;;
  *) fail "install must be release or cargo, not '$install'" ;;
esac

if [ -z "$version" ] && [ "$install" = release ]; then
  if [[ $ref =~ $tag_re ]]; then
    version=${ref#v}
  else
    version=latest
  fi
fi

source_hash=
if [ -n "$version" ]; then
  # Checks the version (or resolves latest from the releases/latest redirect).
  args=(--print-version --version "$version")
  if [ -n "${RELEASE_URL:-}" ]; then
    args+=(--repo-url "$RELEASE_URL")
  fi
  version=$(sh "$action/install.sh" "${args[@]}") || fail "cannot resolve version '$version'"
  key=$install-$version
else
  sha256() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
  }
  files=(Cargo.lock Cargo.toml)
  while IFS= read -r -d '' file; do
    files+=("$file")
  done < <(cd "$action" && find src -type f -print0 | LC_ALL=C sort -z)
  source_hash=$(cd "$action" && sha256 "${files[@]}" | sha256 | cut -c1-64)
  [[ $source_hash =~ ^[0-9a-f]{64}$ ]] || fail "cannot hash the action's source in $action"
  key=cargo-source-$source_hash
fi

{
  echo "version=$version"
  echo "source-hash=$source_hash"
  echo "key=$key"
} >>"$output"
if [ -n "$version" ]; then
  echo "gatelint action: gatelint $version ($install)"
else
  echo "gatelint action: gatelint from the action's source, $source_hash (cargo)"
fi
