// SPDX-License-Identifier: MIT
#include "msgpack_p.h"
#include <Palaver/Protocol/msgpack.h>
#include <Palaver/Protocol/packet.h>

#include <bit>
#include <cstring>
#include <vector>

namespace Palaver::Protocol::Msgpack {

namespace detail {

bool Reader::fail(ErrorCode code, std::string message)
{
    m_error = makeError(code, std::move(message) + " at byte " + std::to_string(m_pos));
    return false;
}

bool Reader::take(std::size_t n, const char *&out)
{
    if (n > m_bytes.size() - m_pos)
        return fail(ErrorCode::InvalidMsgpack, "truncated MessagePack");
    out = m_bytes.data() + m_pos;
    m_pos += n;
    return true;
}

template<typename T> bool Reader::readBE(T &value)
{
    const char *p = nullptr;
    if (!take(sizeof(T), p))
        return false;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    value = static_cast<T>(v);
    return true;
}

bool Reader::next(Item &item)
{
    std::uint8_t b = 0;
    if (!readBE(b))
        return false;
    item = Item {};
    auto sized = [&](Item::Kind kind, std::size_t length) {
        item.kind = kind;
        const char *p = nullptr;
        if (!take(length, p))
            return false;
        item.bytes = std::string_view(p, length);
        return true;
    };
    auto container = [&](Item::Kind kind, std::uint32_t count) {
        item.kind = kind;
        item.count = count;
        // Every item takes at least one byte, so a count beyond the bytes left is a lie that
        // must not reach a reserve() call.
        const std::uint64_t minimum = kind == Item::Map ? 2ULL * count : count;
        if (minimum > remaining())
            return fail(ErrorCode::InvalidMsgpack, "container count beyond the end");
        return true;
    };
    auto ext = [&](std::size_t length) {
        std::int8_t type = 0;
        if (!readBE(type))
            return false;
        item.extType = type;
        if (type == 0 && length == 8 && b == 0xd7) {
            // notepack's Date: signed high 32 bits, unsigned low 32 bits of the ms.
            std::int64_t ms = 0;
            if (!readBE(ms))
                return false;
            item.kind = Item::Date;
            item.i = ms;
            return true;
        }
        if (b == 0xd4) {
            std::int8_t v = 0;
            if (!readBE(v))
                return false;
            item.kind = (type == 0 && v == 0) ? Item::Undefined : Item::Ext;
            item.i = v;
            item.fixext1 = true;
            return true;
        }
        // ext 8/16/32 of type 0 is how notepack sends an ArrayBuffer: plain bytes.
        return sized(type == 0 && b >= 0xc7 && b <= 0xc9 ? Item::Bin : Item::Ext, length);
    };

    if (b <= 0x7f) {
        item.kind = Item::Int;
        item.i = b;
        return true;
    }
    if (b >= 0xe0) {
        item.kind = Item::Int;
        item.i = static_cast<std::int8_t>(b);
        return true;
    }
    if (b >= 0x80 && b <= 0x8f)
        return container(Item::Map, b & 0x0f);
    if (b >= 0x90 && b <= 0x9f)
        return container(Item::Array, b & 0x0f);
    if (b >= 0xa0 && b <= 0xbf)
        return sized(Item::Str, b & 0x1f);
    switch (b) {
    case 0xc0:
        item.kind = Item::Nil;
        return true;
    case 0xc2:
    case 0xc3:
        item.kind = Item::Bool;
        item.boolean = b == 0xc3;
        return true;
    case 0xc4: {
        std::uint8_t n = 0;
        return readBE(n) && sized(Item::Bin, n);
    }
    case 0xc5: {
        std::uint16_t n = 0;
        return readBE(n) && sized(Item::Bin, n);
    }
    case 0xc6: {
        std::uint32_t n = 0;
        return readBE(n) && sized(Item::Bin, n);
    }
    case 0xc7: {
        std::uint8_t n = 0;
        return readBE(n) && ext(n);
    }
    case 0xc8: {
        std::uint16_t n = 0;
        return readBE(n) && ext(n);
    }
    case 0xc9: {
        std::uint32_t n = 0;
        return readBE(n) && ext(n);
    }
    case 0xca: {
        std::uint32_t bits = 0;
        if (!readBE(bits))
            return false;
        item.kind = Item::Float;
        item.d = std::bit_cast<float>(bits);
        return true;
    }
    case 0xcb: {
        std::uint64_t bits = 0;
        if (!readBE(bits))
            return false;
        item.kind = Item::Float;
        item.d = std::bit_cast<double>(bits);
        return true;
    }
    case 0xcc: {
        std::uint8_t v = 0;
        item.kind = Item::Int;
        return readBE(v) && ((item.i = v), true);
    }
    case 0xcd: {
        std::uint16_t v = 0;
        item.kind = Item::Int;
        return readBE(v) && ((item.i = v), true);
    }
    case 0xce: {
        std::uint32_t v = 0;
        item.kind = Item::Int;
        return readBE(v) && ((item.i = v), true);
    }
    case 0xcf: {
        std::uint64_t v = 0;
        if (!readBE(v))
            return false;
        if (v > std::uint64_t(INT64_MAX)) {
            item.kind = Item::UInt;
            item.u = v;
        } else {
            item.kind = Item::Int;
            item.i = std::int64_t(v);
        }
        return true;
    }
    case 0xd0: {
        std::int8_t v = 0;
        item.kind = Item::Int;
        return readBE(v) && ((item.i = v), true);
    }
    case 0xd1: {
        std::int16_t v = 0;
        item.kind = Item::Int;
        return readBE(v) && ((item.i = v), true);
    }
    case 0xd2: {
        std::int32_t v = 0;
        item.kind = Item::Int;
        return readBE(v) && ((item.i = v), true);
    }
    case 0xd3: {
        std::int64_t v = 0;
        item.kind = Item::Int;
        return readBE(v) && ((item.i = v), true);
    }
    case 0xd4:
        return ext(1);
    case 0xd5:
        return ext(2);
    case 0xd6:
        return ext(4);
    case 0xd7:
        return ext(8);
    case 0xd8:
        return ext(16);
    case 0xd9: {
        std::uint8_t n = 0;
        return readBE(n) && sized(Item::Str, n);
    }
    case 0xda: {
        std::uint16_t n = 0;
        return readBE(n) && sized(Item::Str, n);
    }
    case 0xdb: {
        std::uint32_t n = 0;
        return readBE(n) && sized(Item::Str, n);
    }
    case 0xdc: {
        std::uint16_t n = 0;
        return readBE(n) && container(Item::Array, n);
    }
    case 0xdd: {
        std::uint32_t n = 0;
        return readBE(n) && container(Item::Array, n);
    }
    case 0xde: {
        std::uint16_t n = 0;
        return readBE(n) && container(Item::Map, n);
    }
    case 0xdf: {
        std::uint32_t n = 0;
        return readBE(n) && container(Item::Map, n);
    }
    default: // 0xc1 is never used
        return fail(
            ErrorCode::InvalidMsgpack, "invalid MessagePack type byte 0x" + [b] {
                const char *hex = "0123456789abcdef";
                return std::string { hex[b >> 4], hex[b & 15] };
            }());
    }
}

bool Reader::skip(std::size_t maxDepth)
{
    // Iterative: a stack of items still owed by each open container, so hostile nesting costs
    // neither stack nor more than maxDepth entries.
    std::uint64_t owed[MaxNestingDepth + 2];
    bool inMap[MaxNestingDepth + 2];
    std::size_t depth = 0;
    owed[0] = 1;
    inMap[0] = false;
    Item item;
    for (;;) {
        while (depth > 0 && owed[depth] == 0)
            --depth;
        if (depth == 0 && owed[0] == 0)
            return true;
        // Map entries alternate key, value: an even count still owed means a key comes next.
        const bool isKey = inMap[depth] && owed[depth] % 2 == 0;
        --owed[depth];
        if (!next(item))
            return false;
        if (isKey && item.kind != Item::Str)
            return fail(ErrorCode::InvalidMsgpack, "map key is not a string");
        if (item.kind == Item::Array || item.kind == Item::Map) {
            if (depth + 1 > maxDepth || depth + 1 > MaxNestingDepth)
                return fail(ErrorCode::NestingTooDeep, "MessagePack nested too deep");
            ++depth;
            owed[depth] = item.kind == Item::Map ? 2ULL * item.count : item.count;
            inMap[depth] = item.kind == Item::Map;
        }
    }
}

} // namespace detail

namespace {

using detail::Item;
using detail::Reader;

bool decodeValue(Reader &reader, nlohmann::json &out, std::size_t depth)
{
    Item item;
    if (!reader.next(item))
        return false;
    switch (item.kind) {
    case Item::Nil:
    case Item::Undefined:
        out = nullptr;
        return true;
    case Item::Bool:
        out = item.boolean;
        return true;
    case Item::Int:
    case Item::Date:
        out = item.i;
        return true;
    case Item::UInt:
        out = item.u;
        return true;
    case Item::Float:
        out = item.d;
        return true;
    case Item::Str:
        out = std::string(item.bytes);
        return true;
    case Item::Bin:
        out = nlohmann::json::binary(Bytes(item.bytes.begin(), item.bytes.end()));
        return true;
    case Item::Ext:
        if (item.fixext1) {
            // notepack decodes a fixext 1 to [type, int8], not to bytes.
            out = nlohmann::json::array({ item.extType, item.i });
            return true;
        }
        out = nlohmann::json::array(
            { item.extType, nlohmann::json::binary(Bytes(item.bytes.begin(), item.bytes.end())) });
        return true;
    case Item::Array: {
        if (depth + 1 > MaxNestingDepth)
            return reader.fail(ErrorCode::NestingTooDeep, "MessagePack nested too deep");
        out = nlohmann::json::array();
        auto &array = out.get_ref<nlohmann::json::array_t &>();
        array.reserve(item.count);
        for (std::uint32_t i = 0; i < item.count; ++i) {
            array.emplace_back();
            if (!decodeValue(reader, array.back(), depth + 1))
                return false;
        }
        return true;
    }
    case Item::Map: {
        if (depth + 1 > MaxNestingDepth)
            return reader.fail(ErrorCode::NestingTooDeep, "MessagePack nested too deep");
        out = nlohmann::json::object();
        for (std::uint32_t i = 0; i < item.count; ++i) {
            Item key;
            if (!reader.next(key))
                return false;
            if (key.kind != Item::Str)
                return reader.fail(ErrorCode::InvalidMsgpack, "map key is not a string");
            if (!decodeValue(reader, out[std::string(key.bytes)], depth + 1))
                return false;
        }
        return true;
    }
    }
    return reader.fail(ErrorCode::InvalidMsgpack, "unknown item");
}

void writeBE(std::string &out, std::uint64_t value, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i)
        out += char((value >> (8 * i)) & 0xff);
}

void writeHeader(std::string &out, std::size_t n, unsigned char fix, unsigned char fixMax,
    unsigned char b8, unsigned char b16, unsigned char b32)
{
    if (n <= fixMax && fix != 0) {
        out += char(fix | n);
    } else if (n <= 0xff && b8 != 0) {
        out += char(b8);
        writeBE(out, n, 1);
    } else if (n <= 0xffff) {
        out += char(b16);
        writeBE(out, n, 2);
    } else {
        out += char(b32);
        writeBE(out, n, 4);
    }
}

void writeInt(std::string &out, std::int64_t v)
{
    if (v >= 0) {
        const auto u = std::uint64_t(v);
        if (u < 0x80) {
            out += char(u);
        } else if (u <= 0xff) {
            out += char(0xcc);
            writeBE(out, u, 1);
        } else if (u <= 0xffff) {
            out += char(0xcd);
            writeBE(out, u, 2);
        } else if (u <= 0xffffffffULL) {
            out += char(0xce);
            writeBE(out, u, 4);
        } else {
            out += char(0xcf);
            writeBE(out, u, 8);
        }
    } else if (v >= -32) {
        out += char(std::int8_t(v));
    } else if (v >= -128) {
        out += char(0xd0);
        writeBE(out, std::uint64_t(v), 1);
    } else if (v >= -32768) {
        out += char(0xd1);
        writeBE(out, std::uint64_t(v), 2);
    } else if (v >= INT32_MIN) {
        out += char(0xd2);
        writeBE(out, std::uint64_t(v), 4);
    } else {
        out += char(0xd3);
        writeBE(out, std::uint64_t(v), 8);
    }
}

void encodeValue(std::string &out, const nlohmann::json &value)
{
    using T = nlohmann::json::value_t;
    switch (value.type()) {
    case T::null:
    case T::discarded:
        out += char(0xc0);
        break;
    case T::boolean:
        out += char(value.get<bool>() ? 0xc3 : 0xc2);
        break;
    case T::number_integer:
        writeInt(out, value.get<std::int64_t>());
        break;
    case T::number_unsigned: {
        const auto u = value.get<std::uint64_t>();
        if (u > std::uint64_t(INT64_MAX)) {
            out += char(0xcf);
            writeBE(out, u, 8);
        } else {
            writeInt(out, std::int64_t(u));
        }
        break;
    }
    case T::number_float:
        out += char(0xcb);
        writeBE(out, std::bit_cast<std::uint64_t>(value.get<double>()), 8);
        break;
    case T::string: {
        const auto &s = value.get_ref<const std::string &>();
        writeHeader(out, s.size(), 0xa0, 0x1f, 0xd9, 0xda, 0xdb);
        out += s;
        break;
    }
    case T::binary: {
        const auto &b = value.get_binary();
        writeHeader(out, b.size(), 0, 0, 0xc4, 0xc5, 0xc6);
        out.append(reinterpret_cast<const char *>(b.data()), b.size());
        break;
    }
    case T::array:
        writeHeader(out, value.size(), 0x90, 0x0f, 0, 0xdc, 0xdd);
        for (const auto &child : value)
            encodeValue(out, child);
        break;
    case T::object:
        writeHeader(out, value.size(), 0x80, 0x0f, 0, 0xde, 0xdf);
        for (auto it = value.begin(); it != value.end(); ++it) {
            const auto &key = it.key();
            writeHeader(out, key.size(), 0xa0, 0x1f, 0xd9, 0xda, 0xdb);
            out += key;
            encodeValue(out, it.value());
        }
        break;
    }
}

} // namespace

Result<nlohmann::json> decode(std::string_view bytes)
{
    try {
        Reader reader(bytes);
        nlohmann::json value;
        if (!decodeValue(reader, value, 0))
            return reader.error();
        if (!reader.atEnd())
            return makeError(ErrorCode::InvalidMsgpack,
                "trailing bytes after the MessagePack value at byte "
                    + std::to_string(reader.position()));
        return value;
    } catch (const std::exception &e) {
        return makeError(
            ErrorCode::InvalidMsgpack, std::string("MessagePack decode failed: ") + e.what());
    }
}

std::string encode(const nlohmann::json &value)
{
    std::string out;
    encodeValue(out, value);
    return out;
}

} // namespace Palaver::Protocol::Msgpack
