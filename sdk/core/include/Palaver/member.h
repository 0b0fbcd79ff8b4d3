// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QMetaType>
#include <QString>

namespace Palaver {

//! A member of a room as the join answer lists it (`{"id","name","online"}`).
class PALAVER_SDK_EXPORT Member {
    Q_GADGET
    Q_PROPERTY(QString id MEMBER id)
    Q_PROPERTY(QString name MEMBER name)
    Q_PROPERTY(bool online MEMBER online)

public:
    QString id; //!< user id (the token's `sub`)
    QString name; //!< display name; the id when the user never connected
    bool online = false; //!< has at least one connected socket

    bool operator==(const Member &) const = default;
};

} // namespace Palaver

Q_DECLARE_METATYPE(Palaver::Member)
