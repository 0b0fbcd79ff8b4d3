// SPDX-License-Identifier: MIT
#include "logging_p.h"
#include "networkmonitor_p.h"
#include <Palaver/networkreachability.h>

#include <QNetworkInformation>

namespace Palaver {

ManualReachability::ManualReachability(QObject *parent) : NetworkReachability(parent)
{
}

void ManualReachability::setReachable(bool reachable)
{
    if (m_reachable == reachable)
        return;
    m_reachable = reachable;
    Q_EMIT reachableChanged(reachable);
}

SystemReachability::SystemReachability(QObject *parent) : NetworkReachability(parent)
{
    // Without a backend (e.g. a container without NetworkManager) nothing can be known: treat
    // the network as reachable and let connection attempts find out.
    if (!QNetworkInformation::instance() && !QNetworkInformation::loadDefaultBackend()) {
        qCDebug(Log::client) << "no QNetworkInformation backend; assuming the network is reachable";
        return;
    }
    auto *info = QNetworkInformation::instance();
    if (!info)
        return;
    m_reachable = info->reachability() != QNetworkInformation::Reachability::Disconnected;
    connect(info, &QNetworkInformation::reachabilityChanged, this,
        [this](QNetworkInformation::Reachability r) {
            const bool reachable = r != QNetworkInformation::Reachability::Disconnected;
            if (reachable == m_reachable)
                return;
            m_reachable = reachable;
            Q_EMIT reachableChanged(reachable);
        });
}

} // namespace Palaver
