#!/usr/bin/env bash
# The action's toolchain step, with install: cargo only: use the runner's cargo, else install
# a minimal stable toolchain with rustup-init, checked against its published SHA-256 first.
set -euo pipefail

fail() {
  echo "gatelint action: error: $*" >&2
  exit 1
}

if command -v cargo >/dev/null 2>&1; then
  echo "gatelint action: using $(cargo --version)"
  exit 0
fi
cargo_home=${CARGO_HOME:-$HOME/.cargo}
if [ -x "$cargo_home/bin/cargo" ]; then
  echo "$cargo_home/bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
  echo "gatelint action: using $("$cargo_home/bin/cargo" --version)"
  exit 0
fi

os=$(uname -s)
arch=$(uname -m)
libc=gnu
if ldd --version 2>&1 | grep -qi musl; then
  libc=musl
fi
case $os/$arch in
  Linux/x86_64 | Linux/amd64) host=x86_64-unknown-linux-$libc ;;
  Linux/aarch64 | Linux/arm64) host=aarch64-unknown-linux-$libc ;;
  Darwin/x86_64) host=x86_64-apple-darwin ;;
  Darwin/arm64) host=aarch64-apple-darwin ;;
  *) fail "no cargo on this runner, and no rustup-init for $os $arch here: set up a Rust toolchain before this action" ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
url=https://static.rust-lang.org/rustup/dist/$host/rustup-init
for file in rustup-init rustup-init.sha256; do
  curl --proto '=https' --tlsv1.2 -fsSL --retry 3 -o "$tmp/$file" "${url%/rustup-init}/$file" ||
    fail "could not download $url${file#rustup-init}"
done
expected=$(cut -c1-64 "$tmp/rustup-init.sha256")
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$tmp/rustup-init" | cut -c1-64)
else
  actual=$(shasum -a 256 "$tmp/rustup-init" | cut -c1-64)
fi
if ! [[ $expected =~ ^[0-9a-f]{64}$ ]] || [ "$actual" != "$expected" ]; then
  fail "rustup-init does not match $url.sha256 (expected $expected, got $actual): not run"
fi
chmod +x "$tmp/rustup-init"
"$tmp/rustup-init" -y --no-modify-path --profile minimal --default-toolchain stable
echo "$cargo_home/bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
