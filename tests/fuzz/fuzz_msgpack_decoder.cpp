// SPDX-License-Identifier: MIT
// The MessagePack parser's Decoder (one binary frame per packet) and the value codec.
#include "fuzz_common.h"
#include <Palaver/Protocol/msgpack.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace Palaver::Protocol;
    const auto bytes = PalaverFuzz::view(data, size);
    Decoder decoder(ParserKind::Msgpack);
    const auto result = decoder.feedBinary(bytes);
    if (result.ok() && result.value())
        PalaverFuzz::exercise(*result.value());

    const auto value = Msgpack::decode(bytes);
    if (value.ok()) {
        const auto again = Msgpack::decode(Msgpack::encode(value.value()));
        PALAVER_FUZZ_CHECK(again.ok());
        PALAVER_FUZZ_CHECK(PalaverFuzz::sameValue(again.value(), value.value()));
    }
    return 0;
}
