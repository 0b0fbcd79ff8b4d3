// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QObject>
#include <QStringList>

class QSocketNotifier;

namespace Palaver {
class Client;
}

namespace Palaver::Bot {

//! `--stdin ROOM`: each line of standard input becomes a message to ROOM through the Client's
//! outbox, so lines read while disconnected go out after the reconnect. Reading never blocks
//! the event loop (a QSocketNotifier on fd 0, one read() per wake-up), and stops while the
//! outbox is full. After the end of input it waits for the outbox to drain, then finishes.
class StdinSender : public QObject {
    Q_OBJECT
public:
    StdinSender(Client *client, const QString &roomId, QObject *parent = nullptr);

    void start();
    int linesRead() const { return m_lines; }
    bool atEnd() const { return m_eof; }

Q_SIGNALS:
    //! Input ended and every line was acknowledged or refused by the server.
    void finished();

private:
    void readSome();
    void pump();
    void checkDone();

    Client *m_client;
    QString m_roomId;
    QSocketNotifier *m_notifier = nullptr;
    QByteArray m_partial;
    QStringList m_waiting; // read, not yet in the outbox (it was full)
    int m_lines = 0;
    bool m_eof = false;
    bool m_done = false;
    bool m_pumping = false;
};

} // namespace Palaver::Bot
