// SPDX-License-Identifier: MIT
// The JSON parser's Decoder. The input is used twice: as one text frame, and as a sequence of
// frames (one flag byte, bit 0 = binary, a 16-bit big-endian length, then the bytes) so that
// binary packets and their attachments are reached.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace Palaver::Protocol;
    {
        Decoder decoder;
        const auto result = decoder.feedText(PalaverFuzz::view(data, size));
        if (result.ok() && result.value())
            PalaverFuzz::exercise(*result.value());
    }
    Decoder decoder;
    std::size_t pos = 0;
    while (pos < size) {
        const bool binary = data[pos++] & 1;
        std::size_t length = size - pos;
        if (size - pos >= 2) {
            length = std::min<std::size_t>(
                (std::size_t(data[pos]) << 8) | data[pos + 1], size - pos - 2);
            pos += 2;
        }
        const auto frame = PalaverFuzz::view(data + pos, length);
        pos += length;
        const auto result = binary ? decoder.feedBinary(frame) : decoder.feedText(frame);
        if (!result.ok()) {
            PALAVER_FUZZ_CHECK(!decoder.awaitingAttachments());
            continue;
        }
        if (result.value())
            PalaverFuzz::exercise(*result.value());
    }
    return 0;
}
