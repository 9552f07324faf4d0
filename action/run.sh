#!/usr/bin/env bash
# The action's last step: run gatelint with the `args` input, one argument per line.
#
# Environment: ARGS (one argument per line, taken as it is; blank lines ignored), BASE (the
# branch a pull request merges into, or empty), GATELINT_TOKEN (for --remote).
#
# `check` with BASE set fetches the base branch and runs with `--base origin/BASE`, so the
# base revision's gatelint.toml and protection apply (unless ARGS has its own --base).
# `--head` needs the merge base: a shallow clone is then fetched with its full history. A full
# clone (`fetch-depth: 0`) stays one.
set -euo pipefail

argv=()
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  if [[ $line =~ ^[[:space:]]*$ ]]; then
    continue
  fi
  argv+=("$line")
done <<<"${ARGS:-}"

if [ "${#argv[@]}" -gt 0 ] && [[ ${argv[0]} =~ [[:space:]] ]]; then
  echo "gatelint action: note: args takes one argument per line; '${argv[0]}' is passed as one argument" >&2
fi

head=false
has_base=false
for arg in ${argv[@]+"${argv[@]}"}; do
  case $arg in
    --head | --head=*) head=true ;;
    --base | --base=*) has_base=true ;;
  esac
done

shallow() {
  [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]
}

base=${BASE:-}
if [ -n "$base" ] && [ "${argv[0]:-}" = check ] && [ "$has_base" = false ]; then
  if [[ $base == -* ]] || ! git check-ref-format --branch "$base" >/dev/null 2>&1; then
    echo "gatelint action: error: base '$base' is not a branch name" >&2
    exit 2
  fi
  refspec="+refs/heads/$base:refs/remotes/origin/$base"
  if ! shallow; then
    # (--depth here would make a full clone shallow.)
    git fetch --no-tags origin "$refspec"
  elif [ "$head" = true ]; then
    git fetch --no-tags --unshallow origin "$refspec"
  else
    # The base commit alone is enough: gatelint reads its trees with git, no checkout.
    git fetch --no-tags --depth=1 origin "$refspec"
  fi
  argv+=(--base "origin/$base")
elif [ "$head" = true ] && shallow; then
  git fetch --no-tags --unshallow origin
fi

exec gatelint ${argv[@]+"${argv[@]}"}
