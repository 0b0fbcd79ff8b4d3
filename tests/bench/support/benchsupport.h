// SPDX-License-Identifier: MIT
// What the benchmarks share: waiting on the event loop, a process's resident memory, and a
// palaver-stub started on a free port.
#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>
#include <QUrl>

#include <malloc.h>

#include <functional>
#include <memory>
#include <optional>

namespace PalaverBench {

//! Runs the event loop until `done()` or `timeoutMs`; true when done.
inline bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    return true;
}

//! This process's heap in use (glibc's mallinfo2: in-use chunks plus mmapped blocks), bytes.
inline qint64 heapInUseBytes()
{
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
}

//! VmRSS of process `pid` in KiB, -1 if unknown.
inline qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    // /proc files report size 0, so read everything instead of testing atEnd().
    const auto lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

struct Server {
    QString name;
    std::unique_ptr<QProcess> process;
    QUrl url;
    qint64 pid = 0;
};

//! palaver-stub (`exe`) on a free port with `secret`, no rate limit, plus `extraArgs`.
inline std::optional<Server> startStub(
    const QString &exe, const QByteArray &secret, const QStringList &extraArgs = {})
{
    Server s;
    s.name = QStringLiteral("palaver-stub");
    s.process = std::make_unique<QProcess>();
    s.process->setProcessChannelMode(QProcess::SeparateChannels);
    s.process->start(exe,
        QStringList { QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--secret"),
            QString::fromLatin1(secret), QStringLiteral("--rate-burst"),
            QStringLiteral("1000000000"), QStringLiteral("--rate-per-sec"),
            QStringLiteral("1000000000") }
            + extraArgs);
    static const QRegularExpression re(QStringLiteral("listening on \\S+:(\\d+)"));
    QString out;
    if (!waitFor(
            [&] {
                out += QString::fromUtf8(s.process->readAllStandardOutput());
                return re.match(out).hasMatch() || s.process->state() == QProcess::NotRunning;
            },
            20000)
        || !re.match(out).hasMatch())
        return std::nullopt;
    s.url = QUrl(QStringLiteral("ws://127.0.0.1:") + re.match(out).captured(1));
    s.pid = s.process->processId();
    return s;
}

} // namespace PalaverBench
