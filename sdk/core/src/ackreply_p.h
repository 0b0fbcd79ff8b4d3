// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QVariantMap>

#include <utility>

namespace Palaver {

//! `{"ok":false,"error":{"code","message"}}` parts.
inline std::pair<QString, QString> ackErrorOf(const QVariantMap &reply)
{
    const QVariantMap error = reply.value(QStringLiteral("error")).toMap();
    return { error.value(QStringLiteral("code")).toString(),
        error.value(QStringLiteral("message")).toString() };
}

//! Codes of PROTOCOL.md after which asking again (a send, a join) cannot succeed; with contract
//! v1.1 also `unsupported` (a server's answer to a request it does not know).
inline bool isFinalRefusal(const QString &code)
{
    return code == QLatin1String("invalid") || code == QLatin1String("not_found")
        || code == QLatin1String("access_denied") || code == QLatin1String("too_long")
        || code == QLatin1String("unsupported");
}

} // namespace Palaver
