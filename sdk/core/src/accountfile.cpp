// SPDX-License-Identifier: MIT
#include "accountfile_p.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace Palaver {

QString jwtSubject(const QString &token)
{
    const QStringList parts = token.split(QLatin1Char('.'));
    if (parts.size() != 3)
        return {};
    const auto payload = QByteArray::fromBase64Encoding(parts.at(1).toLatin1(),
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals
            | QByteArray::AbortOnBase64DecodingErrors);
    if (!payload)
        return {};
    const QJsonDocument claims = QJsonDocument::fromJson(*payload);
    return claims.isObject() ? claims.object().value(QLatin1String("sub")).toString() : QString();
}

QString accountFileName(const QUrl &server, const QString &userId)
{
    // The parts of the URL that name the server: not its query (auth and options live there).
    QUrl base = server.adjusted(
        QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo | QUrl::StripTrailingSlash);
    const QString readable = userId + QLatin1Char('@') + base.host() + QLatin1Char('_')
        + QString::number(base.port(base.scheme().endsWith(QLatin1Char('s')) ? 443 : 80));
    QString name;
    name.reserve(qMin<qsizetype>(readable.size(), 64));
    for (const QChar c : readable) {
        if (name.size() == 64)
            break;
        const bool plain = (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
            || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('.')
            || c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char('@');
        name.append(plain ? c : QLatin1Char('_'));
    }
    const QByteArray key = base.toString(QUrl::FullyEncoded).toUtf8() + '\n' + userId.toUtf8();
    const QByteArray hash = QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex();
    return name + QLatin1Char('-') + QString::fromLatin1(hash.left(12)) + QLatin1String(".sqlite");
}

} // namespace Palaver
