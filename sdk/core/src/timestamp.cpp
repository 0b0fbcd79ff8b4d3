// SPDX-License-Identifier: MIT
#include "timestamp_p.h"

#include <algorithm>
#include <optional>

namespace Palaver {

namespace {

//! The `count` digits at `pos`, or -1 if one of them is not an ASCII digit.
int digits(std::string_view s, size_t pos, size_t count)
{
    int value = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        const char c = s[i];
        if (c < '0' || c > '9')
            return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

bool isLeap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int daysInMonth(int year, int month)
{
    static constexpr int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return month == 2 && isLeap(year) ? 29 : days[month - 1];
}

//! Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
qint64 daysFromCivil(int year, int month, int day)
{
    year -= month <= 2;
    const int era = (year >= 0 ? year : year - 399) / 400;
    const int yoe = year - era * 400;
    const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return qint64(era) * 146097 + doe - 719468;
}

//! Whether `s` has the separators of exactly `YYYY-MM-DDTHH:MM:SS.sssZ`.
bool wireShape(std::string_view s)
{
    return s.size() == 24 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':'
        && s[16] == ':' && s[19] == '.' && s[23] == 'Z';
}

//! Days since the epoch of the date part of a wire-shaped timestamp, if it is a valid date.
std::optional<qint64> wireDays(std::string_view s)
{
    const int year = digits(s, 0, 4);
    const int month = digits(s, 5, 2);
    const int day = digits(s, 8, 2);
    // Year 0 is left to Qt, whatever it makes of it.
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
        return std::nullopt;
    return daysFromCivil(year, month, day);
}

//! Milliseconds into the day of the time part of a wire-shaped timestamp, if it is valid.
std::optional<qint64> wireTime(std::string_view s)
{
    const int hour = digits(s, 11, 2);
    const int minute = digits(s, 14, 2);
    const int second = digits(s, 17, 2);
    const int ms = digits(s, 20, 3);
    // Leap seconds are left to Qt, whatever it makes of them.
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0)
        return std::nullopt;
    return ((qint64(hour) * 60 + minute) * 60 + second) * 1000 + ms;
}

QDateTime utc(qint64 days, qint64 time)
{
    return QDateTime::fromMSecsSinceEpoch(days * 86'400'000 + time, Qt::UTC);
}

QDateTime viaQt(std::string_view text)
{
    return QDateTime::fromString(
        QString::fromUtf8(text.data(), qsizetype(text.size())), Qt::ISODateWithMs)
        .toUTC();
}

} // namespace

QDateTime parseTimestamp(std::string_view text)
{
    if (wireShape(text)) {
        const auto days = wireDays(text);
        const auto time = wireTime(text);
        if (days && time)
            return utc(*days, *time);
    }
    return viaQt(text);
}

QDateTime TimestampParser::operator()(std::string_view text)
{
    if (!wireShape(text))
        return viaQt(text);
    const std::string_view date = text.substr(0, sizeof m_date);
    if (!m_haveDate || date != std::string_view(m_date, sizeof m_date)) {
        const auto days = wireDays(text);
        if (!days)
            return viaQt(text);
        std::copy(date.begin(), date.end(), m_date);
        m_days = *days;
        m_haveDate = true;
    }
    const auto time = wireTime(text);
    return time ? utc(m_days, *time) : viaQt(text);
}

} // namespace Palaver
