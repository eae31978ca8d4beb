// SPDX-License-Identifier: Apache-2.0
#pragma once

// QR codes for TOTP enrolment (issue 7): the otpauth:// URI an authenticator
// app scans, as a PNG for the console and as text for `mamori user
// enroll-totp` on a terminal. libqrencode makes the symbol (error correction
// level M, which phones read easily off a screen); libpng writes the image.
//
//   MAMORI_ASSIGN_OR_RETURN(std::string png, auth::QrPng(enrolment.key_uri));
//   std::cout << auth::QrTerminal(enrolment.key_uri);
//
// The URI holds the TOTP secret: neither output may be logged or stored.
//
// Thread-safety: pure functions (libqrencode is built thread-safe in Debian).

#include <string>
#include <string_view>

#include "core/status.h"

namespace mamori::auth {

// A PNG, 8 pixels per module with the 4-module quiet zone the standard asks
// for. Errors: kInvalidArgument if the text is too long for a QR code
// (over about 2 KB); kInternal if libqrencode or libpng fail.
core::Result<std::string> QrPng(std::string_view text);

// The symbol drawn with Unicode half blocks (two modules per character row),
// dark on a light quiet zone, so it scans off a terminal in either theme.
core::Result<std::string> QrTerminal(std::string_view text);

}  // namespace mamori::auth
