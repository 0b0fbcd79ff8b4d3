// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/networkreachability.h>

namespace Palaver {

//! The default reachability source: QNetworkInformation, "no backend" and "unknown" counting as
//! reachable.
class SystemReachability : public NetworkReachability {
    Q_OBJECT

public:
    explicit SystemReachability(QObject *parent = nullptr);
    bool isReachable() const override { return m_reachable; }

private:
    bool m_reachable = true;
};

} // namespace Palaver
