// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QVariant>
#include <QVariantList>

#include <nlohmann/json.hpp>

namespace Palaver::VariantJson {

//! QVariant to JSON: null/invalid -> null, bool, integers, doubles, strings, QByteArray -> a
//! binary value (a Socket.IO attachment, or MessagePack `bin`), lists -> arrays, maps/hashes ->
//! objects, QUuid -> its string without braces, QDateTime -> ISO 8601 UTC with milliseconds,
//! QJsonValue/Document as themselves. Anything else goes through QVariant::toString().
PALAVER_SDK_EXPORT nlohmann::json toJson(const QVariant &value);
PALAVER_SDK_EXPORT nlohmann::json toJson(const QVariantList &list);

//! JSON to QVariant: null -> an invalid QVariant, integers -> qint64 (quint64 above its range),
//! floats -> double, binary -> QByteArray, arrays -> QVariantList, objects -> QVariantMap.
PALAVER_SDK_EXPORT QVariant fromJson(const nlohmann::json &value);
//! An array's elements as a list (anything else: a one-element list).
PALAVER_SDK_EXPORT QVariantList listFromJson(const nlohmann::json &value);

} // namespace Palaver::VariantJson
