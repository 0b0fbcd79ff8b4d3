// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QMetaType>
#include <QString>
#include <QVariantList>
#include <QVariantMap>

namespace Palaver {

//! How a request (an event sent with an ack) ended. Every request ends exactly once: with the
//! server's answer (error None, `args` = the ack's arguments), with a timeout, or with an error
//! saying why it never got an answer.
class PALAVER_SDK_EXPORT AckResult {
    Q_GADGET
    Q_PROPERTY(Error error MEMBER error)
    Q_PROPERTY(QString errorString MEMBER errorString)
    Q_PROPERTY(QVariantList args MEMBER args)

public:
    enum class Error {
        None, //!< the server answered; see args
        Timeout, //!< no answer within the request's timeout
        Disconnected, //!< the connection went away before the answer came
        NotConnected, //!< not sent: the Client was not connected
        PayloadTooLarge, //!< not sent: a frame would exceed the server's maxPayload
        InvalidRequest, //!< not sent: a reserved event name, too many binary arguments, ...
        Unsupported, //!< not sent: the server does not offer the feature (Client::features)
    };
    Q_ENUM(Error)

    Error error = Error::None;
    QString errorString; //!< for people; empty when error is None
    QVariantList args; //!< the ack's arguments

    bool ok() const { return error == Error::None; }
    //! The first argument as a map: Palaver's acks are one object `{"ok":bool,...}`.
    QVariantMap reply() const { return args.isEmpty() ? QVariantMap() : args.first().toMap(); }

    static AckResult failure(Error error, const QString &message)
    {
        AckResult r;
        r.error = error;
        r.errorString = message;
        return r;
    }
};

} // namespace Palaver

Q_DECLARE_METATYPE(Palaver::AckResult)
