#!/usr/bin/env bash
# First README command: install the Debian packages, configure, build, and run
# the main job. Run as root on Debian 12 (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ clang libclang-rt-14-dev valgrind meson ninja-build pkg-config python3
  libssl-dev libsodium-dev libexpected-dev nlohmann-json3-dev libcli11-dev
  doctest-dev libbenchmark-dev zlib1g-dev
  softhsm2 libp11-kit-dev
  libboost-dev awscli faketime iproute2 openssl curl
  cmake  # examples/install_test.sh: find_package(envelope) from a CMake project
  clang-format-14  # scripts/format_check.sh: the tree stays clang-formatted (CI)
  scdoc  # doc/*.scd: the man pages of encrypt, decrypt and envelope
  man-db  # test/doc: the man pages render (man -l)
  libcurl4-openssl-dev  # HTTPS client of the AWS KMS keyrings (lib/aws)
  gdb  # test/secrets/core_dump_test.cc: gcore dumps where core_pattern pipes to the host (CI)
)
# Intel's ipsec-mb: the fast AES-GCM backend (AVX2 / AVX-512 / VAES). Debian
# ships it for amd64 only; elsewhere the build uses OpenSSL's AES-GCM.
[ "$(dpkg --print-architecture)" = amd64 ] && packages+=(libipsec-mb-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# Node.js and npm run the JavaScript ESDK in the interoperability tests; a
# machine that already has them (from any source) keeps its own.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "bootstrap: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Optimized without debug info, asserts off: a release build at -O2. (At
# -O3, g++ 12 reports false -Wstringop-overflow/-Wrestrict warnings inside
# libstdc++; the hot loops are OpenSSL's assembly either way.) Warnings are
# errors: the tree builds without one under g++ 12 and clang 14.
[ -f build/build.ninja ] || meson setup build -Doptimization=2 -Ddebug=false -Db_ndebug=true -Dwerror=true
meson compile -C build

echo "bootstrap: built; running the main job"
exec scripts/demo.sh
