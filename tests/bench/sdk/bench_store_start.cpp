// SPDX-License-Identifier: MIT
// An app-like start from the account's local store: 3 kept rooms with 5,000 cached messages each
// (the default bound). A first run against an in-process StubServer fills the store (the user
// watches the rooms while another user writes); then, with the server gone, each run makes a
// Client on the same store folder, as an app started again offline would, and opens a Room for
// each kept room. Prints the time from the Client's construction to the first model holding its
// cached rows and to all three, and the memory the start costs (resident and heap in use), next
// to the same start without a store, whose models fill only when the server answers.
//
//   bench_store_start [--rooms 3] [--messages 5000] [--runs 5] [--length 120]

#include "benchsupport.h"
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

using Palaver::Client;
using Palaver::Room;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;

namespace {

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

std::unique_ptr<Client> clientOf(const StubServer &server, const QString &user)
{
    auto client = std::make_unique<Client>();
    client->setUrl(server.url());
    client->setToken(QString::fromUtf8(server.makeToken(user)));
    client->setOutboxCapacity(100000);
    return client;
}

QString roomName(int i)
{
    return QStringLiteral("room-%1").arg(i + 1);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("palaver.*.warning=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        { QStringLiteral("rooms"), QStringLiteral("Kept rooms."), QStringLiteral("N"),
            QStringLiteral("3") },
        { QStringLiteral("messages"), QStringLiteral("Cached messages per room."),
            QStringLiteral("N"), QStringLiteral("5000") },
        { QStringLiteral("runs"), QStringLiteral("Starts measured."), QStringLiteral("N"),
            QStringLiteral("5") },
        { QStringLiteral("length"), QStringLiteral("Characters per message."), QStringLiteral("N"),
            QStringLiteral("120") },
    });
    parser.process(app);
    const int rooms = std::max(1, parser.value(QStringLiteral("rooms")).toInt());
    const int perRoom = std::max(1, parser.value(QStringLiteral("messages")).toInt());
    const int runs = std::max(1, parser.value(QStringLiteral("runs")).toInt());
    const int length = std::max(1, parser.value(QStringLiteral("length")).toInt());

    StubConfig config;
    config.secret = QByteArrayLiteral("bench-store-secret");
    config.rooms.clear();
    for (int i = 0; i < rooms; ++i)
        config.rooms.append({ roomName(i), QStringLiteral("Room %1").arg(i + 1), false, {} });
    config.rateBurst = 1000000000;
    config.ratePerSec = 1e9;
    auto server = std::make_unique<StubServer>(config);
    if (!server->start(QHostAddress::LocalHost, 0)) {
        std::fprintf(stderr, "the stub did not start: %s\n", qPrintable(server->errorString()));
        return 1;
    }
    QTemporaryDir dir;
    const QString store = dir.filePath(QStringLiteral("store"));

    // The first run: alice watches the rooms (their cache fills from the stream) while bob writes.
    QString storeFile;
    {
        auto alice = clientOf(*server, QStringLiteral("alice"));
        alice->setStoreDirectory(store);
        storeFile = alice->storeFileName();
        std::vector<Room *> watched;
        for (int i = 0; i < rooms; ++i) {
            watched.push_back(alice->room(roomName(i)));
            watched.back()->join();
        }
        alice->open();
        auto bob = clientOf(*server, QStringLiteral("bob"));
        bob->open();
        const bool ready = PalaverBench::waitFor(
            [&] {
                return bob->state() == Client::State::Connected
                    && std::all_of(watched.cbegin(), watched.cend(),
                        [](Room *r) { return r->joinState() == Room::JoinState::Joined; });
            },
            20000);
        if (!ready) {
            std::fprintf(stderr, "the first run did not connect\n");
            return 1;
        }
        const QString text = QString(length - 6, QLatin1Char('x'));
        for (int sent = 0; sent < perRoom; sent += 500) {
            for (int i = 0; i < rooms; ++i) {
                for (int k = sent; k < std::min(perRoom, sent + 500); ++k)
                    bob->sendMessage(roomName(i), QStringLiteral("%1 ").arg(k, 5) + text);
            }
            const qint64 last = std::min(perRoom, sent + 500);
            if (!PalaverBench::waitFor(
                    [&] {
                        return std::all_of(watched.cbegin(), watched.cend(),
                            [&](Room *r) { return r->messages()->lastSeq() >= last; });
                    },
                    60000)) {
                std::fprintf(stderr, "the messages did not arrive\n");
                return 1;
            }
        }
        PalaverBench::waitFor([] { return false; }, 200); // the last turn's commit
    }
    const qint64 fileBytes = QFileInfo(storeFile).size();
    const QUrl url = server->url();
    const QByteArray token = server->makeToken(QStringLiteral("alice"));

    // Offline starts from the store: the server is gone.
    std::vector<double> openedMs, firstMs, allMs, rssKiB, heapKiB;
    int rowsShown = 0;
    const qint64 pid = QCoreApplication::applicationPid();
    server->stop();
    for (int run = 0; run < runs; ++run) {
        malloc_trim(0);
        const qint64 rssBefore = PalaverBench::rssKiB(pid);
        const qint64 heapBefore = PalaverBench::heapInUseBytes();
        QElapsedTimer clock;
        clock.start();
        auto client = std::make_unique<Client>();
        client->setUrl(url);
        client->setToken(QString::fromUtf8(token));
        client->setStoreDirectory(store);
        openedMs.push_back(double(clock.nsecsElapsed()) / 1e6);
        double first = -1;
        rowsShown = 0;
        const QStringList kept = client->joinedRooms();
        for (const QString &roomId : kept) {
            Room *room = client->room(roomId);
            rowsShown += room->messages()->count();
            if (first < 0 && room->messages()->count() > 0)
                first = double(clock.nsecsElapsed()) / 1e6;
        }
        allMs.push_back(double(clock.nsecsElapsed()) / 1e6);
        firstMs.push_back(first);
        rssKiB.push_back(double(PalaverBench::rssKiB(pid) - rssBefore));
        heapKiB.push_back(double(PalaverBench::heapInUseBytes() - heapBefore) / 1024.0);
        if (kept.size() != rooms) {
            std::fprintf(stderr, "the store kept %lld rooms, not %d\n", qint64(kept.size()), rooms);
            return 1;
        }
        client.reset();
    }

    // The same start without a store: the models fill when the server answers the joins.
    std::vector<double> coldMs;
    if (!server->start(QHostAddress::LocalHost, quint16(url.port()))) {
        std::fprintf(stderr, "the stub did not start again\n");
        return 1;
    }
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer clock;
        clock.start();
        auto client = clientOf(*server, QStringLiteral("alice"));
        std::vector<Room *> shown;
        for (int i = 0; i < rooms; ++i) {
            shown.push_back(client->room(roomName(i)));
            shown.back()->join();
        }
        client->open();
        if (!PalaverBench::waitFor([&] { return shown.front()->messages()->count() > 0; }, 20000)) {
            std::fprintf(stderr, "the server did not answer\n");
            return 1;
        }
        coldMs.push_back(double(clock.nsecsElapsed()) / 1e6);
    }

    std::printf("store file: %.1f MiB for %d rooms x %d messages of %d characters\n",
        double(fileBytes) / 1048576.0, rooms, perRoom, length);
    std::printf("| start | store open | first model filled | all %d models filled | rows shown | "
                "RSS growth | heap growth |\n",
        rooms);
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    std::printf("| from the store, no server (median of %d) | %.1f ms | %.1f ms | %.1f ms | %d | "
                "%.0f KiB | %.0f KiB |\n",
        runs, median(openedMs), median(firstMs), median(allMs), rowsShown, median(rssKiB),
        median(heapKiB));
    std::printf("| no store, server on 127.0.0.1 (median of %d) | | %.1f ms | | | | |\n", runs,
        median(coldMs));
    return 0;
}
