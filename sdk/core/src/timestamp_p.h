// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QDateTime>

#include <string_view>

namespace Palaver {

//! A PROTOCOL.md timestamp as a UTC QDateTime. The wire form is always
//! `YYYY-MM-DDTHH:MM:SS.sssZ`, which is parsed by hand: QDateTime::fromString() was the largest
//! single cost of receiving a small message. Anything else (other offsets, no milliseconds, out
//! of range fields) goes through QDateTime::fromString(Qt::ISODateWithMs), so the result is the
//! same as before for every input; unparseable text gives an invalid QDateTime.
PALAVER_SDK_EXPORT QDateTime parseTimestamp(std::string_view text);

} // namespace Palaver
