// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QObject>

namespace Palaver {

//! Where a Client learns whether the network is there at all. While it is not, the Client makes
//! no connection attempts (state Offline) and spends none of its retry budget; when it comes
//! back, the Client reconnects at once. By default the Client follows QNetworkInformation (and
//! treats "no backend" or "unknown" as reachable); apps and tests can give their own source.
class PALAVER_SDK_EXPORT NetworkReachability : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool reachable READ isReachable NOTIFY reachableChanged)

public:
    using QObject::QObject;
    //! Whether a connection attempt can possibly succeed now.
    virtual bool isReachable() const = 0;

Q_SIGNALS:
    void reachableChanged(bool reachable);
};

//! A reachability source set by hand: for tests, or for apps that know better than the OS
//! (e.g. a "work offline" switch).
class PALAVER_SDK_EXPORT ManualReachability : public NetworkReachability {
    Q_OBJECT

public:
    explicit ManualReachability(QObject *parent = nullptr);
    bool isReachable() const override { return m_reachable; }
    //! Changes the answer and emits reachableChanged() when it differs.
    void setReachable(bool reachable);

private:
    bool m_reachable = true;
};

} // namespace Palaver
