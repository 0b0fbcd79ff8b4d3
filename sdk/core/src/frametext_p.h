// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <cstdint>
#include <string_view>

namespace Palaver {

//! Turns a piece of a text frame's UTF-8 form (a view the codec handed out) back into a QString.
//! When the frame is ASCII, which the UTF-8 form's length tells for free, its UTF-8 and UTF-16
//! forms have the same offsets, so the piece is copied from the QString the socket delivered
//! instead of being decoded again. Anything else (a non-ASCII frame, text from elsewhere, such as
//! an unescaped field) is decoded from UTF-8.
class FrameText {
public:
    FrameText() = default;
    FrameText(const QString &frame, std::string_view utf8)
        : m_frame(&frame)
        , m_begin(reinterpret_cast<std::uintptr_t>(utf8.data()))
        , m_end(m_begin + utf8.size())
        , m_ascii(qsizetype(utf8.size()) == frame.size())
    {
    }

    QString operator()(std::string_view piece) const
    {
        if (isAscii(piece)) {
            const auto at = reinterpret_cast<std::uintptr_t>(piece.data());
            return QString(m_frame->constData() + (at - m_begin), qsizetype(piece.size()));
        }
        return QString::fromUtf8(piece.data(), qsizetype(piece.size()));
    }

    //! Whether `piece` is a part of an ASCII frame's UTF-8 form (then its bytes are its text).
    bool isAscii(std::string_view piece) const
    {
        const auto at = reinterpret_cast<std::uintptr_t>(piece.data());
        return m_ascii && at >= m_begin && at + piece.size() <= m_end;
    }

private:
    const QString *m_frame = nullptr;
    std::uintptr_t m_begin = 0;
    std::uintptr_t m_end = 0;
    bool m_ascii = false;
};

} // namespace Palaver
