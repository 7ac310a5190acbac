#!/usr/bin/env bash
# Runs every test of the project (`mvn -B verify`), after installing what the tests need and a fresh
# Debian machine may lack. Needs JDK 17 and Maven; PostgreSQL is embedded (binaries from Maven Central).
#   nginx           NginxTest, ChaosIT, DatabaseFaultIT, NodeCrashIT run the real nginx (nginx-light)
#   chromium        BrowserIT drives Debian's chromium; no browser is ever downloaded
#   nodejs, npm     BrowserIT runs playwright-core on Node.js 20+, installed by `npm ci` in browser-tests/
#                   (so the npm registry must be reachable)
# Missing packages come from apt-get: directly as root, else through sudo. Arguments go on to Maven,
# e.g. `scripts/test.sh -Dit.test=ChaosIT`. Each test class's output is in target/surefire-reports/ and
# target/failsafe-reports/ (<class>-output.txt); the console shows the results.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "not root and no sudo: install the Debian packages $* yourself" >&2
    return 1
  fi
}

# apt_install LOG PACKAGE...: the packages, reading the package lists first only if the install fails
# without (a fresh container has none; an up-to-date machine should not wait for them).
apt_install() {
  local log="$1"
  shift
  { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" \
      || { as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; }
  } >"$log" 2>&1
}

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "== installing nginx (Debian package nginx-light)"
  # Debian releases without nginx-light have the full nginx package instead.
  apt_install "$log_dir/nginx.log" nginx-light || apt_install "$log_dir/nginx.log" nginx \
    || { cat "$log_dir/nginx.log"; echo "could not install nginx" >&2; exit 1; }
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium (Debian package)"
  apt_install "$log_dir/chromium.log" chromium \
    || { cat "$log_dir/chromium.log"; echo "could not install chromium" >&2; exit 1; }
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "== installing nodejs and npm (Debian packages)"
  apt_install "$log_dir/node.log" nodejs npm \
    || { cat "$log_dir/node.log"; echo "could not install nodejs and npm" >&2; exit 1; }
fi

"$(command -v nginx || echo /usr/sbin/nginx)" -v 2>&1
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)" # (its wrapper script warns on stderr)
node_version=$(node --version)
echo "node $node_version, npm $(npm --version)"
# playwright-core refuses older Node.js, and BrowserIT would fail only at the end of a long run.
if [ "$(echo "$node_version" | sed -E 's/^v([0-9]+).*/\1/')" -lt 20 ]; then
  echo "Node.js $node_version is too old: BrowserIT needs 20+ (Debian 12's nodejs is 18; install NodeSource's" \
    "nodejs 20, or use Debian 13)" >&2
  exit 1
fi

echo "== mvn -B verify"
mvn -B -ntp verify "$@"
