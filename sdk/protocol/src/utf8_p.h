// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace Palaver::Protocol::detail {

//! Whether `bytes` is well-formed UTF-8 (Unicode table 3-7: no overlong forms, no surrogates,
//! nothing above U+10FFFF), as nlohmann's and simdjson's parsers require. Runs of ASCII, most of
//! a chat frame, are checked 16 bytes at a time.
bool isValidUtf8(std::string_view bytes) noexcept;

} // namespace Palaver::Protocol::detail
