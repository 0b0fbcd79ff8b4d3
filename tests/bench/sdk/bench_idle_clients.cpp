// SPDX-License-Identifier: MIT
// What an idle, joined Palaver::Client costs: N Clients in this process, each connected to a
// palaver-stub (started on a free port, in-memory database) and joined to one room with no
// history. Prints the time until all are joined and the memory per connection, as the growth of
// this process's resident memory and of its heap in use (glibc's mallinfo2) over the N Clients.
//
//   bench_idle_clients [--clients 1000] [--users one|each] [--concurrency 64]
//
// `--users one` (the default) connects every Client as the same user: what one connection costs.
// `--users each` gives every Client its own user, as a thousand people would be; then each Client
// also learns of every other user's presence (PROTOCOL.md: presence is global), which grows with
// N per Client and is part of what is measured.

#include "benchsupport.h"
#include <Palaver/Stub/jwtverifier.h>
#include <Palaver/client.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>

#include <malloc.h>

#include <cstdio>
#include <memory>
#include <vector>

namespace {

const QByteArray Secret = QByteArrayLiteral("bench-idle-secret");
const QString Room = QStringLiteral("general");

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("palaver.*.warning=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        { QStringLiteral("clients"), QStringLiteral("Clients to connect."), QStringLiteral("N"),
            QStringLiteral("1000") },
        { QStringLiteral("users"), QStringLiteral("one: all the same user; each: a user each."),
            QStringLiteral("one|each"), QStringLiteral("one") },
        { QStringLiteral("concurrency"), QStringLiteral("Connections being opened at once."),
            QStringLiteral("N"), QStringLiteral("64") },
    });
    parser.process(app);
    const int n = parser.value(QStringLiteral("clients")).toInt();
    const bool userEach = parser.value(QStringLiteral("users")) == QLatin1String("each");
    const int concurrency = std::max(1, parser.value(QStringLiteral("concurrency")).toInt());
    if (n < 1) {
        std::fprintf(stderr, "--clients must be at least 1\n");
        return 2;
    }

    auto stub = PalaverBench::startStub(QStringLiteral(PALAVER_STUB_EXE), Secret,
        { QStringLiteral("--db"), QStringLiteral(":memory:") });
    if (!stub) {
        std::fprintf(stderr, "palaver-stub did not start\n");
        return 1;
    }
    const qint64 pid = QCoreApplication::applicationPid();
    // One Client made and dropped first, so that what every Client shares (Qt's one-time
    // initialisation, the network stack's singletons) is not counted per connection.
    {
        Palaver::Client warmup;
        warmup.setUrl(stub->url);
        warmup.setToken(QString::fromLatin1(Palaver::Stub::JwtVerifier::mint(
            Secret, QStringLiteral("warmup"), QStringLiteral("warmup"), 3600)));
        bool joined = false;
        QObject::connect(
            &warmup, &Palaver::Client::roomJoined, [&joined](const QString &) { joined = true; });
        warmup.joinRoom(Room);
        warmup.open();
        if (!PalaverBench::waitFor([&] { return joined; }, 20000)) {
            std::fprintf(stderr, "the warm-up Client did not join\n");
            return 1;
        }
    }
    malloc_trim(0);
    const qint64 rssBefore = PalaverBench::rssKiB(pid);
    const qint64 heapBefore = PalaverBench::heapInUseBytes();
    const qint64 stubBefore = PalaverBench::rssKiB(stub->pid);

    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<Palaver::Client>> clients;
    clients.reserve(size_t(n));
    int joined = 0;
    int failed = 0;
    const QString sharedToken = QString::fromLatin1(Palaver::Stub::JwtVerifier::mint(
        Secret, QStringLiteral("idle"), QStringLiteral("idle"), 3600));
    const auto openNext = [&] {
        const int i = int(clients.size());
        auto client = std::make_unique<Palaver::Client>();
        client->setUrl(stub->url);
        const QString user = QStringLiteral("idle-%1").arg(i + 1);
        client->setToken(userEach
                ? QString::fromLatin1(Palaver::Stub::JwtVerifier::mint(Secret, user, user, 3600))
                : sharedToken);
        QObject::connect(
            client.get(), &Palaver::Client::roomJoined, [&](const QString &) { ++joined; });
        QObject::connect(
            client.get(), &Palaver::Client::failed, [&](Palaver::Client::Error) { ++failed; });
        client->joinRoom(Room);
        client->open();
        clients.push_back(std::move(client));
    };
    const bool allJoined = PalaverBench::waitFor(
        [&] {
            while (int(clients.size()) < n && int(clients.size()) - joined - failed < concurrency)
                openNext();
            return joined + failed >= n;
        },
        300000);
    const double connectSecs = double(clock.elapsed()) / 1e3;
    // Let the last presence events reach every Client before memory is read.
    PalaverBench::waitFor([] { return false; }, 1000);
    malloc_trim(0);
    const qint64 rssAfter = PalaverBench::rssKiB(pid);
    const qint64 heapAfter = PalaverBench::heapInUseBytes();
    const qint64 stubAfter = PalaverBench::rssKiB(stub->pid);

    std::printf("| clients | users | joined | failed | time to join all | client RSS per "
                "connection | client heap per connection | stub RSS per connection |\n");
    std::printf("|---:|---|---:|---:|---:|---:|---:|---:|\n");
    std::printf("| %d | %s | %d | %d | %.2f s | %.1f KiB | %.1f KiB | %.1f KiB |\n", n,
        userEach ? "one each" : "one for all", joined, failed, connectSecs,
        double(rssAfter - rssBefore) / n, double(heapAfter - heapBefore) / 1024.0 / n,
        double(stubAfter - stubBefore) / n);
    clients.clear();
    stub->process->terminate();
    stub->process->waitForFinished(10000);
    return allJoined && failed == 0 ? 0 : 1;
}
