// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/packet.h>

#include <optional>

namespace Palaver::Protocol::detail {

//! Replaces the placeholders of a JSON binary packet's data by its attachments (depth-first,
//! as socket.io-parser's reconstructPacket does).
std::optional<Error> reconstructBinaries(nlohmann::json &data, const std::vector<Bytes> &buffers);

} // namespace Palaver::Protocol::detail
