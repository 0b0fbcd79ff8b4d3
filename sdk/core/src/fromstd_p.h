// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <string_view>

namespace Palaver {

//! UTF-8 from the codec (error messages, names) as a QString.
inline QString fromStd(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

} // namespace Palaver
