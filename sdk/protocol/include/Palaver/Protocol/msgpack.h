// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/result.h>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

//! MessagePack as notepack.io (socket.io-msgpack-parser@3) writes and reads it.
namespace Palaver::Protocol::Msgpack {

//! Decodes one MessagePack value. `bin` and ext type 0 (ext 8/16/32) become binary values,
//! `d4 00 00` (notepack's `undefined`) becomes null, a fixext 8 of type 0 (a Date) becomes its
//! milliseconds since the epoch, other ext types become `[type, binary]`. Map keys that are not
//! strings are refused. Fails on truncated input, trailing bytes and nesting deeper than
//! MaxNestingDepth.
Result<nlohmann::json> decode(std::string_view bytes);

//! Encodes a value (binary values as `bin`, integers in their smallest form, doubles as float64).
std::string encode(const nlohmann::json &value);

} // namespace Palaver::Protocol::Msgpack
