// SPDX-License-Identifier: MIT
#include "demousers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QVariantMap>

namespace Palaver::Chat {

QVariantList parseDemoUsers(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isArray()) {
        if (error)
            *error = parseError.error != QJsonParseError::NoError
                ? parseError.errorString()
                : QStringLiteral("expected a JSON array");
        return {};
    }
    QVariantList users;
    const QJsonArray array = document.array();
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        const QString id = object.value(QLatin1String("id")).toString();
        const QString token = object.value(QLatin1String("token")).toString();
        if (id.isEmpty() || token.isEmpty())
            continue;
        QString name = object.value(QLatin1String("name")).toString();
        if (name.isEmpty())
            name = id;
        users.append(QVariantMap {
            { QStringLiteral("id"), id },
            { QStringLiteral("name"), name },
            { QStringLiteral("token"), token },
        });
    }
    return users;
}

} // namespace Palaver::Chat
