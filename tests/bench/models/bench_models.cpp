// SPDX-License-Identifier: MIT
//
// bench_models: a flood of messages into one room's MessageModel, delivered the way a socket
// delivers them (a batch of `message:new` per event-loop turn, each handed to queueIncoming()),
// with a view-like consumer attached (a QSortFilterProxyModel, and a reader of every role of every
// inserted row, as a ListView creating delegates would). Reports the CPU per message, the memory
// per stored message against the budget (2x the content's UTF-16 size + 200 B), and the longest
// event-loop stall during the flood (target < 16 ms). Not a test: numbers, not pass/fail.

#include <Palaver/messagemodel.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QSortFilterProxyModel>
#include <QTextStream>
#include <QTimer>
#include <QUuid>

#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace Palaver;
using namespace Qt::Literals::StringLiterals;

namespace {

// The flood starts after this many older messages, which the bench then pages in as history.
constexpr int HistorySize = 1000;
constexpr int PageSize = 50;

qint64 heapBytes()
{
    const struct mallinfo2 mi = mallinfo2();
    return qint64(mi.uordblks + mi.hblkhd);
}

double cpuSeconds(clockid_t clock = CLOCK_PROCESS_CPUTIME_ID)
{
    timespec ts {};
    clock_gettime(clock, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

QString loadAverage()
{
    QFile f(u"/proc/loadavg"_s);
    if (!f.open(QIODevice::ReadOnly))
        return u"?"_s;
    return QString::fromLatin1(f.readAll()).section(u' ', 0, 2);
}

// Latest page of older history: `limit` messages below `before`, oldest first.
// A string of its own, as a decoder makes one per message: the model may keep it (shared), so
// the memory figure must not see it shared with the bench's copy.
QString fresh(const QString &s)
{
    return QString(s.constData(), s.size());
}

QList<Message> historyPage(const QList<Message> &older, qint64 before, int limit)
{
    QList<Message> page;
    for (const Message &m : older) {
        if (m.seq < before && m.seq >= before - limit) {
            page.append(m);
            page.last().content = fresh(m.content);
        }
    }
    return page;
}

struct Options {
    int messages = 100000;
    int batch = 100;
    int minLength = 5;
    int maxLength = 160;
    bool proxy = true;
    bool reader = true;
};

// The flood as the server would send it: seq from 1, 20 authors, UUID ids and client ids, one
// message in 500 is our own (sent as Pending first; its echo arrives in the next batch).
QList<Message> makeFlood(const Options &o, double &budgetBytes, QList<Message> &older)
{
    QRandomGenerator rng(42);
    QStringList authors;
    for (int i = 0; i < 20; ++i)
        authors << u"user"_s + QString::number(i);
    const QDateTime start(QDate(2026, 1, 1), QTime(8, 0), Qt::UTC);
    QList<Message> flood;
    flood.reserve(o.messages);
    budgetBytes = 0;
    for (int i = -HistorySize; i < o.messages; ++i) {
        Message m;
        m.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        m.roomId = u"general"_s;
        m.seq = HistorySize + i + 1;
        const int a = int(rng.bounded(20));
        m.authorId = authors[a];
        m.authorName = authors[a].toUpper();
        const int len = o.minLength + int(rng.bounded(o.maxLength - o.minLength + 1));
        QString content(len, Qt::Uninitialized);
        for (int c = 0; c < len; ++c)
            content[c] = QChar(u'a' + rng.bounded(26));
        if (i % 7 == 0 && len > 2)
            content[1] = QChar(0x00E9); // some non-ASCII text
        m.content = content;
        m.createdAt = start.addMSecs(qint64(i) * 700);
        m.clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        budgetBytes += 2.0 * (2.0 * len) + 200;
        (i < 0 ? older : flood).append(m);
    }
    budgetBytes /= o.messages + HistorySize;
    return flood;
}

struct Result {
    double cpuPerMessageUs = 0;
    double wallSeconds = 0;
    double maxTurnMs = 0;
    double maxTurnCpuMs = 0;
    double meanTurnMs = 0;
    double maxPageMs = 0;
    double maxTickGapMs = 0;
    double bytesPerMessage = 0;
    int rows = 0;
    int inserts = 0;
    int turns = 0;
};

Result runFlood(
    const Options &o, const QList<Message> &flood, const QList<Message> &older, bool measureMemory)
{
    Result res;
    const qint64 heapBefore = heapBytes();
    auto model = std::make_unique<MessageModel>();
    model->setOwnUserId(u"user0"_s);
    std::unique_ptr<QSortFilterProxyModel> proxy;
    QAbstractItemModel *view = model.get();
    if (o.proxy) {
        proxy = std::make_unique<QSortFilterProxyModel>();
        proxy->setSourceModel(model.get());
        view = proxy.get();
    }
    const QList<int> roles = model->roleNames().keys();
    qint64 sink = 0;
    QObject::connect(model.get(), &QAbstractItemModel::rowsInserted, model.get(),
        [&](const QModelIndex &, int, int) { ++res.inserts; });
    if (o.reader) {
        QObject::connect(view, &QAbstractItemModel::rowsInserted, view,
            [&](const QModelIndex &, int first, int last) {
                for (int row = first; row <= last; ++row) {
                    const QModelIndex idx = view->index(row, 0);
                    for (int role : roles)
                        sink += view->data(idx, role).isValid();
                }
            });
    }

    QEventLoop loop;
    QElapsedTimer wall;
    QElapsedTimer tickClock;
    qint64 lastTick = 0;
    QTimer ticker; // a frame-like heartbeat: the gaps between its ticks are the stalls
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, &ticker, [&] {
        const qint64 now = tickClock.nsecsElapsed();
        res.maxTickGapMs = std::max(res.maxTickGapMs, double(now - lastTick) / 1e6);
        lastTick = now;
    });

    qsizetype next = 0;
    QString ownPendingClientId;
    QElapsedTimer turn;
    double turnCpu = 0;
    double turnSum = 0;
    QTimer producer; // one socket read per turn
    producer.setInterval(0);
    QObject::connect(&producer, &QTimer::timeout, &producer, [&] {
        if (next >= flood.size()) {
            producer.stop();
            QTimer::singleShot(0, &loop, &QEventLoop::quit);
            return;
        }
        turn.start();
        turnCpu = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
        ++res.turns;
        const qsizetype end = std::min<qsizetype>(next + o.batch, flood.size());
        for (; next < end; ++next) {
            Message m = flood.at(next);
            m.content = fresh(m.content);
            if (next % 500 == 499) { // our own message: its echo comes in the next batch
                m.authorId = u"user0"_s;
                m.authorName = u"USER0"_s;
                Message mine = m;
                mine.status = Message::Status::Pending;
                ownPendingClientId = model->addPending(mine);
                continue;
            }
            model->queueIncoming(m);
            if (!ownPendingClientId.isEmpty() && next % 500 == 0) {
                Message echo = flood.at(next - 1);
                echo.content = fresh(echo.content);
                echo.authorId = u"user0"_s;
                echo.authorName = u"USER0"_s;
                model->queueIncoming(echo);
                ownPendingClientId.clear();
            }
        }
        // The model flushes in this turn's posted events; time the whole turn there.
        QMetaObject::invokeMethod(
            &producer,
            [&] {
                const double ms = double(turn.nsecsElapsed()) / 1e6;
                if (ms > 4 && qEnvironmentVariableIsSet("BENCH_TRACE"))
                    std::fprintf(stderr, "slow turn %d: %.2f ms at %d rows\n", res.turns, ms,
                        model->rowCount());
                res.maxTurnMs = std::max(res.maxTurnMs, ms);
                turnSum += ms;
                res.maxTurnCpuMs = std::max(
                    res.maxTurnCpuMs, (cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - turnCpu) * 1e3);
            },
            Qt::QueuedConnection);
    });

    const double cpu0 = cpuSeconds();
    wall.start();
    tickClock.start();
    ticker.start();
    producer.start();
    loop.exec();
    ticker.stop();
    res.wallSeconds = double(wall.nsecsElapsed()) / 1e9;
    res.cpuPerMessageUs = (cpuSeconds() - cpu0) * 1e6 / double(flood.size());
    res.meanTurnMs = turnSum / std::max(1, res.turns);
    const int floodInserts = res.inserts;

    // Scrolling up: history pages land at row 0 of the full model, one insert each.
    for (qint64 before = model->firstSeq(); before > 1; before = model->firstSeq()) {
        const QList<Message> page = historyPage(older, before, PageSize);
        const double cpu = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
        model->prependHistory(page, before - PageSize > 1);
        res.maxPageMs = std::max(res.maxPageMs, (cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu) * 1e3);
    }
    res.rows = model->rowCount();
    res.inserts = floodInserts;
    if (measureMemory) {
        proxy.reset();
        res.bytesPerMessage = double(heapBytes() - heapBefore) / double(res.rows);
    }
    if (sink < 0)
        std::puts(""); // keep the reads
    return res;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"MessageModel flood benchmark"_s);
    parser.addHelpOption();
    const QCommandLineOption messagesOpt(
        u"messages"_s, u"Messages in the flood."_s, u"n"_s, u"100000"_s);
    const QCommandLineOption batchOpt(
        u"batch"_s, u"Messages per event-loop turn."_s, u"n"_s, u"100"_s);
    const QCommandLineOption minOpt(u"min-length"_s, u"Shortest content."_s, u"n"_s, u"5"_s);
    const QCommandLineOption maxOpt(u"max-length"_s, u"Longest content."_s, u"n"_s, u"160"_s);
    const QCommandLineOption noProxyOpt(u"no-proxy"_s, u"No QSortFilterProxyModel."_s);
    const QCommandLineOption noReaderOpt(u"no-reader"_s, u"No reader of the inserted rows."_s);
    parser.addOptions({ messagesOpt, batchOpt, minOpt, maxOpt, noProxyOpt, noReaderOpt });
    parser.process(app);

    Options o;
    o.messages = std::max(1, parser.value(messagesOpt).toInt());
    o.batch = std::max(1, parser.value(batchOpt).toInt());
    o.minLength = std::max(1, parser.value(minOpt).toInt());
    o.maxLength = std::max(o.minLength, parser.value(maxOpt).toInt());
    o.proxy = !parser.isSet(noProxyOpt);
    o.reader = !parser.isSet(noReaderOpt);

    double budget = 0;
    QList<Message> older;
    const QList<Message> flood = makeFlood(o, budget, older);

    // Memory: a model alone (no proxy, no reader), so that only its own storage is counted.
    Options alone = o;
    alone.proxy = false;
    alone.reader = false;
    const Result mem = runFlood(alone, flood, older, true);
    // Time: the model with its consumers.
    const Result run = runFlood(o, flood, older, false);

    QTextStream out(stdout);
    out << "bench_models: " << o.messages << " messages, " << o.batch << " per turn, content "
        << o.minLength << ".." << o.maxLength
        << " chars, consumers: " << (o.proxy ? "QSortFilterProxyModel" : "none")
        << (o.reader ? " + reader of all roles" : "") << "\n";
    out << "  rows " << run.rows << " (with " << HistorySize << " paged in)"
        << ", turns " << run.turns << ", rowsInserted " << run.inserts << " during the flood ("
        << double(run.inserts) / std::max(1, run.turns)
        << " per turn: one per batch, plus one per own Pending message)\n";
    out << "  cpu per message      " << QString::number(run.cpuPerMessageUs, 'f', 2) << " us ("
        << QString::number(run.wallSeconds, 'f', 2) << " s wall for the flood)\n";
    out << "  memory per message   " << QString::number(mem.bytesPerMessage, 'f', 1)
        << " B (budget " << QString::number(budget, 'f', 1) << " B = 2x UTF-16 content + 200)\n";
    out << "  turn (batch + merge) " << QString::number(run.meanTurnMs, 'f', 3) << " ms mean, "
        << QString::number(run.maxTurnMs, 'f', 2) << " ms longest wall, "
        << QString::number(run.maxTurnCpuMs, 'f', 2) << " ms longest CPU\n";
    out << "  longest tick gap     " << QString::number(run.maxTickGapMs, 'f', 2)
        << " ms (1 ms timer; target < 16 ms; load average " << loadAverage() << ")\n";
    out << "  history page at top  " << QString::number(run.maxPageMs, 'f', 2)
        << " ms CPU longest (" << PageSize << " rows prepended to " << o.messages
        << "+; model alone " << QString::number(mem.maxPageMs, 'f', 2) << " ms)\n";
    return 0;
}
