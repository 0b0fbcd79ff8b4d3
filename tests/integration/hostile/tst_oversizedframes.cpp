// SPDX-License-Identifier: MIT
// Servers that send more than a message may hold (issue 15): one 50 MB text frame, and one
// message cut into a flood of tiny continuation fragments. Both used to be buffered whole by
// QWebSocket (726 MiB and 160 MiB resident). With Client::maxIncomingMessageSize() each is
// refused before it is buffered: the Client reports ProtocolError and reconnects, and its
// resident size stays far below 100 MiB. The frames are written by hand (framewriter.*) since
// QWebSocketServer would never send them.
#include "framewriter.h"
#include <Palaver/client.h>
#include <Palaver/reconnectpolicy.h>

#include <QFile>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace Palaver;

namespace {

constexpr qint64 MiB = 1024 * 1024;
const QByteArray eventStart = QByteArrayLiteral("42[\"big\",\"");
const QByteArray eventEnd = QByteArrayLiteral("\"]");

//! A field of /proc/self/status in bytes (VmRSS, VmHWM), or -1.
qint64 statusBytes(const QByteArray &field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(QByteArray(field + ':')))
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

//! The peak resident size of this process from now on. The peak (VmHWM), not samples of
//! VmRSS: a buffer that lives between two samples would be missed, and a sampling timer does not
//! run while QWebSocket parses a burst of frames. VmHWM is process-wide and remembers earlier
//! cases, so it is reset here (writing 5 to clear_refs, Linux 4.0 and later) and the growth
//! over the resident size at the start is what is checked. Where the reset is refused the peak
//! of the whole run is used: that can only overstate the growth, never hide it.
class PeakMeter {
public:
    PeakMeter()
    {
        QFile refs(QStringLiteral("/proc/self/clear_refs"));
        m_reset = refs.open(QIODevice::WriteOnly) && refs.write("5") == 1;
        refs.close();
        m_start = statusBytes("VmRSS");
    }
    qint64 growth() const { return statusBytes("VmHWM") - m_start; }
    bool wasReset() const { return m_reset; }

private:
    qint64 m_start = 0;
    bool m_reset = false;
};

//! `42["big","zzz…"]` as one text frame of `size` payload bytes, made a chunk at a time.
FrameWriter::Producer hugeFrame(qint64 size)
{
    auto header = std::make_shared<bool>(true);
    auto left = std::make_shared<qint64>(size);
    return [header, left, size](qint64 max) {
        QByteArray out;
        if (*header) {
            *header = false;
            out = FrameWriter::frameHeader(0x1, size, true) + eventStart;
            *left -= eventStart.size();
        }
        const qint64 body = qMin(max, *left - qint64(eventEnd.size()));
        if (body > 0) {
            out.append(QByteArray(body, 'z'));
            *left -= body;
        } else if (*left > 0) {
            out.append(eventEnd);
            *left = 0;
        }
        return out;
    };
}

//! A text frame without FIN, then continuation frames of `fragment` bytes each until `total`
//! payload bytes went out: one message that never ends, a few bytes at a time.
FrameWriter::Producer continuationFlood(qint64 total, int fragment)
{
    auto started = std::make_shared<bool>(false);
    auto left = std::make_shared<qint64>(total);
    const QByteArray one
        = FrameWriter::frameHeader(0x0, fragment, false) + QByteArray(fragment, 'z');
    return [started, left, one, fragment](qint64 max) {
        QByteArray out;
        if (!*started) {
            *started = true;
            out = FrameWriter::frameHeader(0x1, eventStart.size(), false) + eventStart;
            *left -= eventStart.size();
        }
        while (*left > 0 && out.size() + one.size() <= max) {
            out.append(one);
            *left -= fragment;
        }
        return out;
    };
}

QByteArray eventOfSize(qint64 size)
{
    return eventStart + QByteArray(size - eventStart.size() - eventEnd.size(), 'z') + eventEnd;
}

bool mentionsTheLimit(const QString &message)
{
    return message.contains(QLatin1String("larger than the limit"));
}

} // namespace

class TestOversizedFrames : public QObject {
    Q_OBJECT

    //! A Client against `server`, quick to reconnect.
    void prepare(Client &client, FrameWriter &server)
    {
        client.setUrl(server.url());
        ReconnectPolicy policy;
        policy.setInitialDelay(50);
        policy.setMaxDelay(200);
        client.setReconnectPolicy(policy);
    }

    //! Round 1 gets `attack`, later rounds a well-behaved server; the refusal must cost less than
    //! 100 MiB, be reported as ProtocolError naming the limit, and be followed by a reconnection.
    void refusedAndReconnects(FrameWriter::Producer attack, const char *what)
    {
        FrameWriter server;
        server.onConnected = [&](QTcpSocket *socket, int round) {
            if (round == 1)
                server.stream(socket, std::move(attack));
        };
        QVERIFY(server.listen());
        Client client;
        prepare(client, server);
        QSignalSpy errors(&client, &Client::errorOccurred);

        const PeakMeter peak;
        client.open();
        QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 1, 60000);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::ProtocolError);
        QVERIFY2(mentionsTheLimit(errors.at(0).at(1).toString()),
            qPrintable(errors.at(0).at(1).toString()));
        QVERIFY(client.isActive());
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Connected, 20000);
        QCOMPARE(server.connections, 2);
        QCOMPARE(errors.size(), 1);
        const qint64 growth = peak.growth();
        qInfo("%s: peak resident growth %lld KiB (%s), %lld bytes streamed before the refusal",
            what, growth / 1024, peak.wasReset() ? "VmHWM reset" : "VmHWM of the whole run",
            server.streamed);
#if defined(__SANITIZE_ADDRESS__)
        // AddressSanitizer keeps freed memory in quarantine (256 MiB by default) and adds its
        // shadow: resident size says nothing about the client's own buffers there. The release
        // build (ctest --preset ci) checks the bound.
        Q_UNUSED(growth);
#else
        QVERIFY2(growth < 100 * MiB,
            qPrintable(QStringLiteral("resident size grew by %1 MiB").arg(growth / MiB)));
#endif
        client.close();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Client::State>();
        qRegisterMetaType<Client::Error>();
    }

    void defaultCapCoversTheLargestPage()
    {
        // 100 messages of 4000 code points, each escaped to 6 bytes, plus their fields: 3.6 MB.
        Client client;
        QCOMPARE(client.maxIncomingMessageSize(), 8 * 1024 * 1024);
        QVERIFY(client.maxIncomingMessageSize() > 100 * (4000 * 6 + 12000));
    }

    void oneFiftyMegabyteTextFrame()
    {
        refusedAndReconnects(hugeFrame(50 * MiB), "one 50 MiB text frame");
    }

    void continuationFragmentFlood()
    {
        // 64 MiB in 16-byte fragments: 4 Mi frames, far past the 8 MiB cap.
        refusedAndReconnects(continuationFlood(64 * MiB, 16), "continuation fragment flood");
    }

    void setMaxIncomingMessageSizeIsHonoured_data()
    {
        QTest::addColumn<bool>("fragmented");
        QTest::newRow("one frame") << false;
        QTest::newRow("fragments") << true;
    }

    void setMaxIncomingMessageSizeIsHonoured()
    {
        QFETCH(bool, fragmented);
        constexpr int cap = 64 * 1024;
        // Sent as one frame, or split in two so that only their sum crosses the cap.
        const auto send = [fragmented](FrameWriter &server, QTcpSocket *s, const QByteArray &m) {
            if (!fragmented)
                return server.sendFrame(s, 0x1, m);
            const qsizetype half = m.size() / 2;
            server.sendFrame(s, 0x1, m.left(half), false);
            server.sendFrame(s, 0x0, m.mid(half), true);
        };
        FrameWriter server;
        QTcpSocket *first = nullptr;
        server.onConnected = [&](QTcpSocket *socket, int round) {
            if (round == 1)
                first = socket;
        };
        QVERIFY(server.listen());
        Client client;
        prepare(client, server);
        client.setMaxIncomingMessageSize(cap);
        QCOMPARE(client.maxIncomingMessageSize(), cap);
        QSignalSpy errors(&client, &Client::errorOccurred);
        int received = 0;
        client.on(QStringLiteral("big"), this, [&](const QVariantList &args) {
            QCOMPARE(args.value(0).toString().size(), cap - eventStart.size() - eventEnd.size());
            ++received;
        });
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QVERIFY(first);

        send(server, first, eventOfSize(cap)); // exactly the limit: taken
        QTRY_COMPARE(received, 1);
        QCOMPARE(errors.size(), 0);
        QCOMPARE(client.state(), Client::State::Connected);

        send(server, first, eventOfSize(cap + 1)); // one byte more: refused
        QTRY_VERIFY(errors.size() >= 1);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::ProtocolError);
        QVERIFY2(mentionsTheLimit(errors.at(0).at(1).toString()),
            qPrintable(errors.at(0).at(1).toString()));
        QVERIFY(errors.at(0).at(1).toString().contains(QString::number(cap)));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Connected, 20000);
        QCOMPARE(server.connections, 2);
        QCOMPARE(received, 1);
        client.close();
    }
};

QTEST_GUILESS_MAIN(TestOversizedFrames)
#include "tst_oversizedframes.moc"
