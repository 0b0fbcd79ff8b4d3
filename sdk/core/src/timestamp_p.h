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

//! parseTimestamp() for a stream: the messages of one day share their date, so the date's
//! conversion to days is kept from one call to the next and only the time of day is read again.
//! Gives exactly what parseTimestamp() gives for every input.
class PALAVER_SDK_EXPORT TimestampParser {
public:
    QDateTime operator()(std::string_view text);

private:
    char m_date[10] = {}; //!< `YYYY-MM-DD` of the last wire-form timestamp
    qint64 m_days = 0; //!< its days since the epoch
    bool m_haveDate = false;
};

} // namespace Palaver
