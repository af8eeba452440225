// envelope: the common public headers in one include.
#ifndef ENVELOPE_ENVELOPE_HPP_
#define ENVELOPE_ENVELOPE_HPP_

#include "envelope/chunked.hpp"
#include "envelope/error.hpp"
#include "envelope/io.hpp"
#include "envelope/secret.hpp"
#include "envelope/selftest.hpp"
#include "envelope/version.hpp"

#endif  // ENVELOPE_ENVELOPE_HPP_
