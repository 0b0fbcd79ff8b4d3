// SPDX-License-Identifier: MIT
// The demo's seeded history: a small team chatting about a release, lunch and a bug, so that
// the demo opens on a conversation rather than on an empty room.
#include "demoseed_p.h"
#include "logging_p.h"
#include "mentions_p.h"
#include "messagestore_p.h"
#include "roomdirectory_p.h"

#include <QHash>
#include <QStringList>

#include <algorithm>
#include <span>

namespace Palaver::Stub {

namespace {

//! One message of a script. Times are minutes before `now`, strictly decreasing within a
//! script, so `createdAt` ascends with `seq`.
struct Line {
    int minutesAgo = 0;
    const char *user = nullptr;
    const char *text = nullptr;
    int replyTo = 0; //!< the seq (1-based line number) this line answers; 0: none
    const char *editedText = nullptr; //!< the author's later correction, if any
    int editedAfter = 0; //!< minutes after the line was sent
    const char *reactions = nullptr; //!< "emoji:user,user emoji:user"
};

// The rooms start empty, so a line's seq is its position in the script.
constexpr Line General[] = {
    { 2810, "carol",
        "Morning all! The release branch for 0.9 is cut, please keep main green today.", 0, nullptr,
        0, "👍:alice,bob,dave" },
    { 2806, "bob", "Nice. I still have the reconnect fix in review, could someone take a look?" },
    { 2801, "alice", "On it after standup." },
    { 2790, "dave", "Heads up: CI on Windows is slow again, the queue is about 20 minutes." },
    { 2779, "alice", "Reviewed, two small comments. Otherwise it looks good to me.", 2 },
    { 2770, "bob", "Thanks! Fixed both, merging once CI is happy." },
    { 2740, "carol", "The release notes draft is in the shared folder, additions welcome." },
    { 2731, "dave", "@alice could you write the paragraph about offline mode? You know it best." },
    { 2725, "alice", "Sure, I'll have it by the end of the day.", 8 },
    { 2650, "bob",
        "Found a funny one: the unread badge shows 1 for your own message after a reconnect.", 0,
        nullptr, 0, "👀:alice,carol" },
    { 2644, "carol", "Ouch. Does it happen every time?" },
    { 2640, "bob",
        "Only when the reconnect lands between the send and the ack. I can reproduce it with the "
        "fault proxy." },
    { 2611, "dave", "I'll open an issue so we don't lose it." },
    { 2475, "alice", "Offline mode paragrpah is in the notes.", 0,
        "The offline mode paragraph is in the release notes now. Feedback welcome!", 3,
        "🎉:carol,dave" },
    { 1395, "carol", "Good morning! RC1 builds are up for all three platforms.", 0, nullptr, 0,
        "🎉:alice,bob,dave" },
    { 1390, "dave", "Installing it on my Mac now." },
    { 1372, "bob",
        "The badge bug is fixed on main, the ack now clears it. Backporting it to the release "
        "branch.",
        10 },
    { 1366, "alice", "Great find and great fix, thank you @bob", 0, nullptr, 0, "❤️:bob" },
    { 1340, "dave", "RC1 works fine here. Sign-in, rooms and history all good." },
    { 1320, "carol", "Same on Linux. The dark theme looks lovely." },
    { 1200, "alice",
        "Has anyone seen the login screen flicker on Windows? Could be my old laptop." },
    { 1190, "dave", "Not here, but I'm on a desktop with a recent graphics card." },
    { 1185, "bob", "I saw it once last week. Let me try again with RC1." },
    { 1150, "bob", "Can't reproduce it with RC1. Maybe it was the driver update." },
    { 600, "carol",
        "Plan for tomorrow: final checks in the morning, tag 0.9 after lunch if nothing comes up.",
        0, nullptr, 0, "👍:alice,bob,dave" },
    { 590, "dave", "Sounds good. I'll prepare the announcement post." },
    { 420, "alice", "@carol I pushed the last docs fix, that's everything from my side." },
    { 400, "carol", "Thanks everyone, great week. @alice @dave let's do a quick retro on Friday." },
    { 45, "bob", "Last call for anything that should go into 0.9!" },
    { 12, "dave", "Nothing from me. Ship it!", 0, nullptr, 0, "🚀:alice,bob,carol" },
};

constexpr Line Random[] = {
    { 2760, "dave",
        "Who's in for lunch today? I'm thinking of the noodle place around the corner." },
    { 2755, "carol", "Me! 12:30?" },
    { 2752, "bob", "Count me in." },
    { 2748, "alice", "Can't today, I have a meeting at noon. Bring me back a spring roll?" },
    { 2740, "dave", "Deal, one spring roll for @alice.", 4, nullptr, 0, "😂:alice,bob" },
    { 2600, "bob", "That was a good lunch. The spicy ones are dangerous though." },
    { 2595, "carol", "I did warn you about the chili oil." },
    { 2590, "alice", "Thanks for the spring roll, it survived the trip!", 0, nullptr, 0,
        "❤️:carol,dave" },
    { 2400, "carol",
        "Random question: does anyone know why the coffee machine on floor 2 beeps three times?" },
    { 2392, "dave", "It wants descaling. It has wanted that since March." },
    { 2390, "bob", "I'll do it tomorrow morning, I know where the tablets are." },
    { 2200, "alice",
        "Book club this week: we are reading The Left Hand of Darknes. Anyone joining?", 0,
        "Book club this week: we are reading The Left Hand of Darkness. Anyone joining?", 1 },
    { 2190, "carol", "I'm in. I read it years ago, happy to read it again." },
    { 2180, "dave", "Maybe, if I finish my current one first." },
    { 1430, "bob", "Coffee machine descaled. It no longer beeps. You're welcome.", 0, nullptr, 0,
        "☕:alice,carol,dave 🎉:carol" },
    { 1425, "carol", "My hero.", 15 },
    { 1300, "dave", "Saw a fox in the car park this morning, it looked very pleased with itself." },
    { 1296, "alice", "Photos or it didn't happen." },
    { 1294, "dave", "It ran off before I found my phone." },
    { 1100, "carol", "Lunch today? The new salad bar has opened." },
    { 1095, "alice", "Yes please, I owe you all one after missing the noodles." },
    { 1093, "bob", "I'll join, but I'm getting soup." },
    { 1090, "dave", "Salad bar it is. Meet at the lifts at 12:15.", 0, nullptr, 0,
        "👍:alice,bob,carol" },
    { 900, "alice", "The salad bar was great. Five stars from me." },
    { 880, "bob", "The soup was fine. Four stars." },
    { 300, "carol", "Anyone up for a board game evening on Saturday?" },
    { 290, "dave", "Yes! I'll bring the one with the trains." },
    { 280, "bob", "@alice you should come, you won last time." },
    { 270, "alice", "Only if we are not playing the trains one again.", 28, nullptr, 0,
        "😂:bob,carol,dave" },
};

// A private room of alice and dave: only its members write and react there.
constexpr Line Staff[] = {
    { 2700, "dave", "Morning Alice, do you have ten minutes today to go over the hiring plan?" },
    { 2690, "alice", "Sure, after lunch works. 14:00?" },
    { 2688, "dave", "14:00 is good." },
    { 2500, "alice",
        "Notes from our chat: two backend roles, one designer, interviews start next week.", 0,
        "Notes from our chat: two backend roles, one designer, interviews start in two weeks.", 6,
        "👍:dave" },
    { 2495, "dave", "Thanks. I'll share the job descriptions with the team leads." },
    { 2300, "dave", "The budget review moved to Thursday, finance needs another day." },
    { 2290, "alice", "No problem, that gives me time to finish the cost sheet." },
    { 1450, "alice", "Good morning. The cost sheet is done, it's in the staff folder." },
    { 1440, "dave",
        "Looks thorough, thank you. One question about the travel line: is that for the "
        "conference?",
        8 },
    { 1430, "alice", "Yes, two people to the conference in spring plus one team offsite." },
    { 1425, "dave", "Makes sense. Approved from my side.", 0, nullptr, 0, "🎉:alice" },
    { 1300, "alice",
        "Carol asked about moving to the platform team after the release. I think it's a good "
        "fit." },
    { 1290, "dave", "Agreed. Let's talk to her after 0.9 ships so it doesn't distract her now." },
    { 1100, "dave", "@alice reminder: performance reviews are due at the end of the month.", 0,
        nullptr, 0, "👀:alice" },
    { 1090, "alice", "Thanks, I have two left to write." },
    { 950, "alice", "Office move update: the new desks arrive on the 14th." },
    { 945, "dave", "Great, I'll let everyone know at the all-hands." },
    { 700, "dave",
        "Bob has been doing great work on the reconnect bugs. Worth a mention in his review." },
    { 690, "alice", "Absolutely, I was going to write the same.", 18, nullptr, 0, "👍:dave" },
    { 500, "alice", "Do we want a small celebration when 0.9 is out? Cake on Friday?" },
    { 495, "dave", "Cake on Friday, yes. I'll order it.", 0, nullptr, 0, "🎉:alice,dave" },
    { 480, "alice", "Lemon, please. Bob doesn't like chocolate." },
    { 470, "dave", "Lemon it is." },
    { 200, "dave",
        "The interview schedule for the backend roles is out, @alice you are on three panels." },
    { 190, "alice", "Got it, they're in my calendar." },
    { 60, "dave", "Have a good evening, see you tomorrow." },
    { 55, "alice", "You too!" },
};

struct Script {
    const char *roomId;
    std::span<const Line> lines;
};

constexpr Script Scripts[] = {
    { "general", General },
    { "random", Random },
    { "staff", Staff },
};

// The same users and names as the tokens `palaver-stub --demo` prints (app/cli.cpp).
QString displayName(const QString &userId)
{
    static const QHash<QString, QString> names = {
        { QStringLiteral("alice"), QStringLiteral("Alice") },
        { QStringLiteral("bob"), QStringLiteral("Bob") },
        { QStringLiteral("carol"), QStringLiteral("Carol") },
        { QStringLiteral("dave"), QStringLiteral("Dave") },
    };
    return names.value(userId, userId);
}

QString timestamp(const QDateTime &when)
{
    return when.toUTC().toString(Qt::ISODateWithMs);
}

// "emoji:user,user emoji:user" -> emoji -> ids in code point order, as ChatService::react
// keeps them.
QMap<QString, QStringList> reactionsOf(const char *spec)
{
    QMap<QString, QStringList> out;
    const auto items = QString::fromUtf8(spec).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &item : items) {
        const qsizetype colon = item.lastIndexOf(QLatin1Char(':'));
        QStringList users = item.mid(colon + 1).split(QLatin1Char(','), Qt::SkipEmptyParts);
        std::sort(users.begin(), users.end(),
            [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
        out.insert(item.left(colon), users);
    }
    return out;
}

bool authorsMayWrite(const Script &script, const RoomConfig &room)
{
    return std::all_of(script.lines.begin(), script.lines.end(), [&](const Line &line) {
        return RoomDirectory::mayAccess(room, QString::fromLatin1(line.user));
    });
}

// Seeds one empty room; false on a database error.
bool seedRoom(MessageStore &store, const RoomConfig &room, const Script &script, KnownUsers &known,
    const QDateTime &now)
{
    for (const Line &line : script.lines)
        known.remember(QString::fromLatin1(line.user));
    QList<StoredMessage> stored; // current state, by seq - 1
    int n = 0;
    for (const Line &line : script.lines) {
        ++n;
        const QString user = QString::fromLatin1(line.user);
        const QString text = QString::fromUtf8(line.text);
        // Seconds and milliseconds vary, as people's do; by less than a minute, so the order
        // holds.
        const QDateTime sent = now.addSecs(-qint64(line.minutesAgo) * 60 + (n * 17) % 60)
                                   .addMSecs(-((n * 137) % 1000));
        std::optional<ReplySnapshot> replyTo;
        if (line.replyTo > 0 && line.replyTo <= stored.size())
            replyTo = stored.at(line.replyTo - 1).snapshot();
        // A clientId of its own per line: (user, clientId) is unique across the whole file.
        const QString clientId = QStringLiteral("demo-seed-%1-%2").arg(room.id).arg(n);
        const auto appended = store.append(room.id, user, displayName(user), text, clientId,
            replyTo, mentions(text, room, known), timestamp(sent));
        if (!appended)
            return false;
        StoredMessage m = appended->message;
        if (line.editedText) {
            m.content = QString::fromUtf8(line.editedText);
            m.editedAt = timestamp(sent.addSecs(qint64(line.editedAfter) * 60));
            m.mentions = mentions(m.content, room, known);
            auto changed = store.change(std::move(m));
            if (!changed)
                return false;
            m = std::move(*changed);
        }
        if (line.reactions) {
            m.reactions = reactionsOf(line.reactions);
            auto changed = store.change(std::move(m));
            if (!changed)
                return false;
            m = std::move(*changed);
        }
        stored.append(std::move(m));
    }
    return true;
}

} // namespace

std::optional<int> seedDemoConversation(
    MessageStore &store, const QList<RoomConfig> &rooms, KnownUsers &known, const QDateTime &now)
{
    int seeded = 0;
    for (const Script &script : Scripts) {
        const QString roomId = QString::fromLatin1(script.roomId);
        const auto room = std::find_if(
            rooms.begin(), rooms.end(), [&](const RoomConfig &r) { return r.id == roomId; });
        if (room == rooms.end() || !authorsMayWrite(script, *room))
            continue;
        const auto last = store.lastSeq(roomId);
        if (!last)
            return std::nullopt;
        if (*last > 0)
            continue; // it has a history of its own: never add to it
        if (!seedRoom(store, *room, script, known, now))
            return std::nullopt;
        qCInfo(Log::stub) << "seeded" << script.lines.size() << "demo messages in" << roomId;
        seeded += int(script.lines.size());
    }
    return seeded;
}

} // namespace Palaver::Stub
