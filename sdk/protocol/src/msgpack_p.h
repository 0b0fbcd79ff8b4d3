// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/result.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace Palaver::Protocol::Msgpack::detail {

//! One MessagePack item header. Containers are not descended into: `count` says how many
//! items (arrays) or key/value pairs (maps) follow.
struct Item {
    enum Kind : std::uint8_t {
        Nil,
        Undefined,
        Bool,
        Int,
        UInt,
        Float,
        Str,
        Bin,
        Ext,
        Date,
        Array,
        Map
    };
    Kind kind = Nil;
    bool boolean = false;
    std::int64_t i = 0; //!< Int, Date (ms since the epoch), and the int8 of a fixext 1
    std::uint64_t u = 0;
    double d = 0;
    std::string_view bytes; //!< Str, Bin, Ext data
    std::int8_t extType = 0;
    bool fixext1 = false; //!< an Ext whose value is the int8 in `i`
    std::uint32_t count = 0; //!< Array items / Map pairs
};

//! A bounds-checked cursor over MessagePack bytes with notepack.io's ext conventions. Nothing is
//! read past the end; a failure leaves an Error behind.
class Reader {
public:
    explicit Reader(std::string_view bytes) : m_bytes(bytes) { }

    //! Reads the next item header.
    bool next(Item &item);
    //! Skips one whole value, checking it is well formed and at most `maxDepth` deep.
    bool skip(std::size_t maxDepth);

    std::size_t position() const noexcept { return m_pos; }
    bool atEnd() const noexcept { return m_pos == m_bytes.size(); }
    std::size_t remaining() const noexcept { return m_bytes.size() - m_pos; }
    std::string_view bytes() const noexcept { return m_bytes; }
    const Error &error() const noexcept { return m_error; }
    bool fail(ErrorCode code, std::string message);

private:
    bool take(std::size_t n, const char *&out);
    template<typename T> bool readBE(T &value);

    std::string_view m_bytes;
    std::size_t m_pos = 0;
    Error m_error { ErrorCode::InvalidMsgpack, {} };
};

} // namespace Palaver::Protocol::Msgpack::detail
