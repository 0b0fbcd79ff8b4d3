// SPDX-License-Identifier: MIT
#include "stdinsender.h"

#include "logging_p.h"
#include <Palaver/client.h>

#include <QSocketNotifier>

#include <unistd.h>

#include <cerrno>

namespace Palaver::Bot {

StdinSender::StdinSender(Client *client, const QString &roomId, QObject *parent)
    : QObject(parent), m_client(client), m_roomId(roomId)
{
    // Queued: the count changes inside sendMessage() and before messageAcked() is emitted; the
    // end is reported after the last ack was seen by everyone.
    connect(
        client, &Client::pendingMessageCountChanged, this,
        [this] {
            pump();
            checkDone();
        },
        Qt::QueuedConnection);
}

void StdinSender::start()
{
    m_notifier = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &StdinSender::readSome);
}

void StdinSender::readSome()
{
    char buffer[16384];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        if (n < 0)
            qCWarning(Log::bot) << "reading standard input failed, errno" << errno;
        m_notifier->setEnabled(false);
        m_eof = true;
        if (!m_partial.isEmpty()) // a last line without a newline still counts
            m_partial.append('\n');
    } else {
        m_partial.append(buffer, n);
    }
    qsizetype start = 0;
    for (qsizetype nl = m_partial.indexOf('\n'); nl >= 0; nl = m_partial.indexOf('\n', start)) {
        QByteArray line = m_partial.mid(start, nl - start);
        if (line.endsWith('\r'))
            line.chop(1);
        start = nl + 1;
        const QString text = QString::fromUtf8(line);
        // Empty after trimming is refused by the server (invalid): not worth a round trip.
        if (text.trimmed().isEmpty())
            continue;
        ++m_lines;
        m_waiting.append(text);
    }
    m_partial.remove(0, start);
    if (m_eof)
        qCInfo(Log::bot) << "end of input after" << m_lines << "lines";
    pump();
    checkDone();
}

void StdinSender::pump()
{
    // sendMessage() emits pendingMessageCountChanged() before it returns, which calls us again.
    if (m_pumping)
        return;
    m_pumping = true;
    while (!m_waiting.isEmpty()) {
        if (m_client->pendingMessageCount() >= m_client->outboxCapacity())
            break;
        const QString line = m_waiting.takeFirst();
        if (m_client->sendMessage(m_roomId, line).isNull()) {
            qCWarning(Log::bot) << "a line could not be queued; will retry when the outbox drains";
            m_waiting.prepend(line);
            break;
        }
    }
    m_pumping = false;
    // Read more only while there is room: a huge input does not pile up in memory.
    if (m_notifier && !m_eof)
        m_notifier->setEnabled(m_waiting.isEmpty());
}

void StdinSender::checkDone()
{
    if (m_done || !m_eof || !m_waiting.isEmpty() || m_client->pendingMessageCount() > 0)
        return;
    m_done = true;
    Q_EMIT finished();
}

} // namespace Palaver::Bot
