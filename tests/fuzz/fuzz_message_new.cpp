// SPDX-License-Identifier: MIT
// decodeMessageNew, the typed fast path, checked against the generic path, and
// decodeMessageNewText, the one-pass shortcut, checked against Decoder + decodeMessageNew. The
// first byte picks the parser; the rest is the packet's data, given both through the Decoder and
// as a hand-built Packet whose payload nobody validated.
#include "fuzz_common.h"

namespace {

void check(const Palaver::Protocol::Packet &packet)
{
    using namespace Palaver::Protocol;
    const auto fast = decodeMessageNew(packet);
    const auto data = packetData(packet);
    if (!fast.ok() || !data.ok())
        return;
    // Whatever the fast path accepts, the generic path reads the same way.
    PALAVER_FUZZ_CHECK(data.value().is_array() && data.value().size() >= 2);
    const auto slow = chatMessageFromJson(data.value()[1]);
    PALAVER_FUZZ_CHECK(slow.ok());
    PALAVER_FUZZ_CHECK(slow.value() == fast.value().message);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace Palaver::Protocol;
    if (size == 0)
        return 0;
    const bool msgpack = data[0] & 1;
    const auto payload = PalaverFuzz::view(data + 1, size - 1);

    Packet raw;
    raw.format = msgpack ? ParserKind::Msgpack : ParserKind::Json;
    raw.payload.assign(payload);
    if (data[0] & 2)
        raw.id = 1;
    (void)eventName(raw);
    (void)decodeMessageNew(raw);
    (void)packetData(raw);

    if (!msgpack) {
        Decoder decoder;
        std::string text = (data[0] & 2) ? "21" : "2";
        text += payload;
        const auto result = decoder.feedText(text);
        if (result.ok() && result.value())
            check(*result.value());
        // What the shortcut accepts, the Decoder and decodeMessageNew accept, with equal fields.
        if (const auto shortcut = decodeMessageNewText(text)) {
            PALAVER_FUZZ_CHECK(result.ok() && result.value());
            const auto typed = decodeMessageNew(*result.value());
            PALAVER_FUZZ_CHECK(typed.ok());
            PALAVER_FUZZ_CHECK(typed.value().message == shortcut->message);
            PALAVER_FUZZ_CHECK(typed.value().offset == shortcut->offset);
        }
    } else {
        // A packet map around the data: {type: 2, nsp: "/", data: <payload>}.
        std::string frame = "\x83\xa4type\x02\xa3nsp\xa1/\xa4"
                            "data";
        frame += payload;
        Decoder decoder(ParserKind::Msgpack);
        const auto result = decoder.feedBinary(frame);
        if (result.ok() && result.value())
            check(*result.value());
    }
    return 0;
}
