#!/bin/sh
# Install a released gatelint binary, checked against the release's SHA256SUMS.
#
#   sh install.sh [--version X.Y.Z|latest] [--to DIR] [--repo-url URL] [--target TRIPLE]
#                 [--print-version]
#
#   --version X.Y.Z|latest  the release to install (a leading `v` is accepted); `latest`, the
#                           default, is resolved to a version from the `releases/latest`
#                           redirect before anything is downloaded
#   --to DIR                where the binary goes (default: $HOME/.local/bin)
#   --repo-url URL          the repository whose releases are read (default: $GATELINT_REPO_URL,
#                           else https://github.com/gatelint/gatelint); https only, or http to
#                           127.0.0.1 / localhost (tests)
#   --target TRIPLE         the binary to install (default: detected with uname), one of
#                           x86_64-unknown-linux-musl, aarch64-unknown-linux-musl,
#                           x86_64-apple-darwin, aarch64-apple-darwin, x86_64-pc-windows-msvc
#   --print-version         print the resolved version and exit (nothing is downloaded but
#                           the redirect of `latest`)
#
# The same URLs serve GitHub, Gitea and Forgejo releases:
#   {repo-url}/releases/latest                       redirects to .../releases/tag/vX.Y.Z
#   {repo-url}/releases/download/vX.Y.Z/SHA256SUMS   `<sha256>  <asset>` lines
#   {repo-url}/releases/download/vX.Y.Z/gatelint-vX.Y.Z-{target}.tar.gz (Windows: .zip)
#
# Download it, read it, then run it; do not pipe it into a shell:
#   curl -fsSLO https://github.com/gatelint/gatelint/releases/download/vX.Y.Z/install.sh
#   sh install.sh --version X.Y.Z
#
# Nothing downloaded is extracted or run before its checksum matches. Needs curl (or wget),
# tar (unzip on Windows), and sha256sum (or shasum). GATELINT_DOWNLOADER=curl|wget forces one.
#
# Exit codes: 0 installed (or version printed); 1 a download, the checksum or the install
# failed, nothing installed; 2 bad usage (an unknown option, a malformed version, target or
# URL); 3 no release binary for this platform.

set -eu

DEFAULT_REPO_URL=https://github.com/gatelint/gatelint
TARGETS="x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc"
VERSION_RE='^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$'
NL='
'

say() { printf 'install.sh: %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }
usage_error() { say "error: $*"; say "usage: sh install.sh [--version X.Y.Z|latest] [--to DIR] [--repo-url URL] [--target TRIPLE] [--print-version]"; exit 2; }

# Whether $2 matches the extended regular expression $1 as a whole: one line, no CR.
matches() {
    case $2 in *"$NL"* | *"$(printf '\r')"*) return 1 ;; esac
    printf '%s\n' "$2" | grep -Eq -- "$1"
}

version=latest
to=${HOME:-}/.local/bin
repo_url=${GATELINT_REPO_URL:-$DEFAULT_REPO_URL}
target=
print_version=false

need_value() {
    [ "$2" -ge 2 ] || usage_error "$1 needs a value"
}
while [ $# -gt 0 ]; do
    case $1 in
        --version) need_value "$1" $#; version=$2; shift 2 ;;
        --version=*) version=${1#*=}; shift ;;
        --to) need_value "$1" $#; to=$2; shift 2 ;;
        --to=*) to=${1#*=}; shift ;;
        --repo-url) need_value "$1" $#; repo_url=$2; shift 2 ;;
        --repo-url=*) repo_url=${1#*=}; shift ;;
        --target) need_value "$1" $#; target=$2; shift 2 ;;
        --target=*) target=${1#*=}; shift ;;
        --print-version) print_version=true; shift ;;
        -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) usage_error "unknown argument: $1" ;;
    esac
done

# --- Inputs ---------------------------------------------------------------------------------

case $version in
    latest) ;;
    *)
        version=${version#v}
        matches "$VERSION_RE" "$version" ||
            usage_error "--version must be X.Y.Z (optionally vX.Y.Z or X.Y.Z-pre) or latest, not '$version'"
        ;;
esac

repo_url=${repo_url%/}
# Letters, digits and -._~%/ in the path: nothing a shell or curl would read differently.
URL_TAIL='(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$'
if matches "^https://[A-Za-z0-9.-]+$URL_TAIL" "$repo_url"; then
    proto='=https'
elif matches "^http://(127\.0\.0\.1|localhost)$URL_TAIL" "$repo_url"; then
    proto='=http,https' # a local test server only
else
    usage_error "--repo-url must be an https:// URL (http:// only to 127.0.0.1 or localhost), not '$repo_url'"
fi

if [ -n "$target" ]; then
    case " $TARGETS " in
        *" $target "*) ;;
        *) usage_error "--target must be one of: $TARGETS; not '$target'" ;;
    esac
fi

# --- Downloads ------------------------------------------------------------------------------

downloader=${GATELINT_DOWNLOADER:-}
if [ -z "$downloader" ]; then
    if command -v curl >/dev/null 2>&1; then
        downloader=curl
    elif command -v wget >/dev/null 2>&1; then
        downloader=wget
    else
        fail "neither curl nor wget is installed"
    fi
fi
case $downloader in
    curl | wget) command -v "$downloader" >/dev/null 2>&1 || fail "$downloader is not installed" ;;
    *) usage_error "GATELINT_DOWNLOADER must be curl or wget, not '$downloader'" ;;
esac

tmp=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() { if [ -n "$tmp" ]; then rm -rf -- "$tmp"; fi; }
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(mktemp -d 2>/dev/null || mktemp -d -t gatelint)
[ -d "$tmp" ] || fail "could not make a temporary folder"

# wget follows redirects to any scheme: refuse a download that was sent to plain http.
wget_downgraded() {
    [ "$proto" = '=https' ] && grep -Eiq '^ *location: *http:' "$1"
}

# fetch URL FILE: download, following redirects; on failure print why (with the HTTP status
# when there was one) to stdout and return non-zero.
fetch() {
    if [ "$downloader" = curl ]; then
        code=$(curl --proto "$proto" --proto-redir "$proto" --tlsv1.2 -fsSL --retry 3 \
            --retry-delay 1 --connect-timeout 15 -w '%{http_code}' -o "$2" "$1" \
            2>"$tmp/fetch.log") || {
            status=$?
            case $code in
                [1-9][0-9][0-9]) echo "HTTP $code" ;;
                *) echo "curl exit $status: $(tr '\n' ' ' <"$tmp/fetch.log")" ;;
            esac
            return 1
        }
    else
        if wget -q -S --tries=3 --timeout=30 -O "$2" "$1" 2>"$tmp/fetch.log"; then
            if wget_downgraded "$tmp/fetch.log"; then
                rm -f -- "$2"
                echo "redirected to plain http"
                return 1
            fi
        else
            code=$(sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$tmp/fetch.log" | tail -n 1)
            if [ -n "$code" ]; then echo "HTTP $code"; else echo "wget failed"; fi
            return 1
        fi
    fi
}

# The URL `releases/latest` redirects to (not followed: only its Location is read).
latest_location() {
    if [ "$downloader" = curl ]; then
        curl --proto "$proto" --tlsv1.2 -sS --retry 3 --retry-delay 1 --connect-timeout 15 \
            -o /dev/null -w '%{http_code} %{redirect_url}' "$1"
    else
        wget -S --max-redirect=0 --tries=3 --timeout=30 -O /dev/null "$1" 2>&1 |
            sed -n 's/^ *[Ll][Oo][Cc][Aa][Tt][Ii][Oo][Nn]: *//p' | tr -d '\r' | head -n 1 |
            sed 's/^/302 /'
    fi
}

# --- Platform -------------------------------------------------------------------------------

if [ -z "$target" ] && [ "$print_version" = false ]; then
    os=$(uname -s 2>/dev/null || echo unknown)
    arch=$(uname -m 2>/dev/null || echo unknown)
    case $os/$arch in
        Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
        Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
        Darwin/x86_64) target=x86_64-apple-darwin ;;
        Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
        MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) target=x86_64-pc-windows-msvc ;;
        *)
            say "error: no gatelint release binary for this platform: $os $arch"
            say "release binaries: Linux x86_64 and aarch64 (musl), macOS x86_64 and arm64, Windows x86_64"
            say "(--target TRIPLE picks one of: $TARGETS)"
            say "elsewhere build it with a Rust toolchain: cargo install --locked gatelint"
            exit 3
            ;;
    esac
fi

# --- Version ---------------------------------------------------------------------------------

if [ "$version" = latest ]; then
    answer=$(latest_location "$repo_url/releases/latest") || answer=
    location=${answer#* }
    case $answer in
        3[0-9][0-9]\ ?*) ;;
        [1-9][0-9][0-9]\ *) fail "could not resolve the latest release: $repo_url/releases/latest answered HTTP ${answer%% *}, not a redirect (no release yet?); give --version X.Y.Z" ;;
        *) fail "could not resolve the latest release: $repo_url/releases/latest could not be reached; give --version X.Y.Z" ;;
    esac
    # .../releases/tag/vX.Y.Z, possibly with a query or fragment.
    tag=${location##*/releases/tag/}
    tag=${tag%%[?#]*}
    version=${tag#v}
    matches "$VERSION_RE" "$version" ||
        fail "the latest release of $repo_url redirects to '$location', not a vX.Y.Z tag"
fi

if [ "$print_version" = true ]; then
    printf '%s\n' "$version"
    exit 0
fi

case $target in
    *-windows-*) ext=zip exe=gatelint.exe ;;
    *) ext=tar.gz exe=gatelint ;;
esac
name=gatelint-v$version-$target
asset=$name.$ext
release_url=$repo_url/releases/download/v$version

# --- Download and verify --------------------------------------------------------------------

say "gatelint $version for $target from $release_url"
why=$(fetch "$release_url/SHA256SUMS" "$tmp/SHA256SUMS") ||
    fail "could not download SHA256SUMS from $release_url/SHA256SUMS ($why); nothing installed"

# The line naming exactly this asset (sha256sum writes `<hash>  <name>`, or `<hash> *<name>`
# in binary mode); names are compared as strings, never as patterns.
expected=$(awk -v name="$asset" '{ sub(/\r$/, "") } $2 == name || $2 == ("*" name) { print $1 }' "$tmp/SHA256SUMS" |
    tr 'ABCDEF' 'abcdef' | sort -u)
case $expected in
    '') fail "SHA256SUMS of release v$version lists no $asset: the release has no binary for $target; nothing installed (cargo install --locked gatelint builds it)" ;;
    *"$NL"*) fail "SHA256SUMS of release v$version lists $asset with different checksums; nothing installed" ;;
esac
matches '^[0-9a-f]{64}$' "$expected" ||
    fail "SHA256SUMS of release v$version has a malformed checksum for $asset; nothing installed"

why=$(fetch "$release_url/$asset" "$tmp/$asset") ||
    fail "could not download $asset from $release_url/$asset ($why); nothing installed"

if command -v sha256sum >/dev/null 2>&1; then
    actual=$(sha256sum "$tmp/$asset" | awk '{ print $1 }')
elif command -v shasum >/dev/null 2>&1; then
    actual=$(shasum -a 256 "$tmp/$asset" | awk '{ print $1 }')
else
    fail "neither sha256sum nor shasum is installed: cannot verify $asset; nothing installed"
fi
actual=$(printf '%s' "$actual" | tr 'ABCDEF' 'abcdef')
if [ "$actual" != "$expected" ]; then
    say "error: checksum mismatch for $asset"
    say "  expected (SHA256SUMS): $expected"
    say "  actual (downloaded):   $actual"
    fail "$asset does not match the release's SHA256SUMS; nothing installed"
fi
say "checksum verified: $asset $actual"

# --- Extract and install --------------------------------------------------------------------

mkdir "$tmp/x"
if [ "$ext" = zip ]; then
    command -v unzip >/dev/null 2>&1 || fail "unzip is not installed: cannot extract $asset; nothing installed"
    unzip -q "$tmp/$asset" -d "$tmp/x" || fail "could not extract $asset; nothing installed"
else
    tar -xzf "$tmp/$asset" -C "$tmp/x" || fail "could not extract $asset; nothing installed"
fi
binary=$tmp/x/$name/$exe
if [ -L "$binary" ] || [ ! -f "$binary" ]; then
    fail "$asset holds no regular file $name/$exe; nothing installed"
fi

mkdir -p -- "$to" || fail "could not create $to; nothing installed"
partial=$(mktemp "$to/.gatelint.XXXXXX") || fail "cannot write to $to; nothing installed"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    rm -f -- "$partial"
    if [ -n "$tmp" ]; then rm -rf -- "$tmp"; fi
}
if ! { cp -- "$binary" "$partial" && chmod 755 "$partial" && mv -f -- "$partial" "$to/$exe"; }; then
    fail "could not install $to/$exe"
fi

reported=$("$to/$exe" --version 2>&1) || reported="(--version failed)"
say "installed $to/$exe: $reported"
if [ "$reported" != "gatelint $version" ]; then
    say "warning: expected 'gatelint $version'"
fi
case ":${PATH:-}:" in
    *":$to:"*) ;;
    *) say "note: $to is not on PATH" ;;
esac
