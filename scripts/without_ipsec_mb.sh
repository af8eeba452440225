#!/usr/bin/env bash
# The build without Intel's ipsec-mb (-Dipsec_mb=disabled: what other CPUs,
# other architectures and systems without libipsec-mb-dev get) and the
# suites that run AES-GCM through lib/crypto: crypto, stream and message.
# Only the libraries and the three test programs are built (into
# build-noimb/, ccache hits for everything but lib/crypto), so it costs a
# few minutes of CI, not a second whole build. Extra arguments go to
# `meson test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build-noimb/build.ninja ]; then
  meson setup build-noimb -Doptimization=2 -Ddebug=false -Db_ndebug=true \
    -Dipsec_mb=disabled -Dbenchmarks=disabled >/dev/null
fi
meson compile -C build-noimb test/crypto/crypto_test test/stream/stream_test \
  test/message/message_test
meson test -C build-noimb --no-rebuild --print-errorlogs --num-processes 2 \
  --suite crypto --suite stream --suite message "$@"
echo "without_ipsec_mb: the OpenSSL-only build passed the crypto, stream and message suites"
