#!/bin/sh
# examples/with_softhsm.sh: run a program against a fresh SoftHSM2 token.
#
#   with_softhsm.sh SOFTHSM_SETUP PROGRAM [ARG...]
#
# SOFTHSM_SETUP is test/pkcs11's softhsm_setup: it makes the test token
# "envelope-test" (user PIN 4711-user, AES-256 key "wrap-main") in a new
# temporary folder. PROGRAM then runs with SOFTHSM2_CONF pointing at that
# token and ENVELOPE_PKCS11_URI naming the key, its module and a file that
# holds the PIN (examples/pkcs11.cc reads it). The folder is removed at the
# end; the exit status is the program's.
set -eu

fail() {
  echo "with_softhsm: error: $*" >&2
  exit 1
}

[ $# -ge 2 ] || fail "usage: $0 SOFTHSM_SETUP PROGRAM [ARG...]"
setup=$1
shift
module=/usr/lib/softhsm/libsofthsm2.so
[ -e "$module" ] || fail "SoftHSM2 is not installed ($module is missing): apt-get install softhsm2"

hsm=$(mktemp -d "${TMPDIR:-/tmp}/envelope-softhsm.XXXXXX")
trap 'rm -rf "$hsm"' EXIT INT TERM
"$setup" "$hsm" || fail "$setup could not make the token in $hsm"
printf '4711-user\n' >"$hsm/pin"
chmod 600 "$hsm/pin"
SOFTHSM2_CONF=$hsm/softhsm2.conf
ENVELOPE_PKCS11_URI="pkcs11:token=envelope-test;object=wrap-main?module-path=$module&pin-source=$hsm/pin"
export SOFTHSM2_CONF ENVELOPE_PKCS11_URI
status=0
"$@" || status=$?
exit "$status"
