// SPDX-License-Identifier: MIT
// Engine.IO text frames and the OPEN handshake.
#include "fuzz_common.h"
#include <Palaver/Protocol/engineio.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace Palaver::Protocol;
    const auto frame = decodeEngineFrame(PalaverFuzz::view(data, size));
    if (!frame.ok())
        return 0;
    PALAVER_FUZZ_CHECK(
        encodeEngineFrame(frame->type, frame->data) == PalaverFuzz::view(data, size));
    // Any frame's data is also tried as a handshake, not only OPEN's, for more coverage.
    const auto handshake = parseHandshake(frame->data);
    if (handshake.ok()) {
        const auto again = parseHandshake(encodeHandshake(handshake.value()));
        PALAVER_FUZZ_CHECK(again.ok());
        PALAVER_FUZZ_CHECK(again.value() == handshake.value());
    }
    return 0;
}
