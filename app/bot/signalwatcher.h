// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QSocketNotifier;

namespace Palaver::Bot {

//! Turns SIGINT and SIGTERM into a Qt signal on the main thread. The handler only writes one
//! byte to a socket pair (async-signal-safe); a QSocketNotifier reads it in the event loop.
class SignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Palaver::Bot
