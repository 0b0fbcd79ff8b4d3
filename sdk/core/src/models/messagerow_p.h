// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/message.h>

#include <QHash>
#include <QString>
#include <QStringView>

#include <limits>
#include <memory>
#include <vector>

namespace Palaver {

//! The ids and client ids of one model's rows, packed one pair after the other into blocks of
//! its own, so that a row needs no allocation of its own for them: Latin-1 bytes when both fit
//! (UUIDs do), else UTF-16. A pair is found by its offset; one longer than a block gets blocks of
//! its own (the next pair starts after them). Pairs of replaced or removed rows (a confirmed or
//! discarded send, a few a minute) stay until `clear()`.
class IdStore {
public:
    //! Stores `id` then `clientId` and returns the offset of the pair; `latin1` says how.
    quint32 add(QStringView id, QStringView clientId, bool &latin1);
    //! The `len` units at `skip` units into the pair at `at`.
    QString text(quint32 at, qsizetype skip, qsizetype len, bool latin1) const
    {
        if (len == 0)
            return {};
        const char *p = bytes(at) + (latin1 ? skip : 2 * skip);
        return latin1 ? QString::fromLatin1(p, len)
                      : QString(reinterpret_cast<const QChar *>(p), len);
    }
    bool equals(quint32 at, qsizetype skip, qsizetype len, bool latin1, QStringView other) const
    {
        if (other.size() != len)
            return false;
        if (len == 0)
            return true;
        const char *p = bytes(at) + (latin1 ? skip : 2 * skip);
        return latin1 ? QLatin1String(p, len) == other
                      : QStringView(reinterpret_cast<const char16_t *>(p), len) == other;
    }
    void clear();

private:
    static constexpr qsizetype BlockSize = 4096;
    const char *bytes(quint32 at) const { return m_blocks[at / BlockSize].get() + at % BlockSize; }

    std::vector<std::unique_ptr<char[]>> m_blocks; //!< null: taken by the long pair before it
    qsizetype m_used = BlockSize; //!< bytes used of the last block
};

//! What contract v1.1 adds to a row. Most messages are never edited, reacted to or replies, so
//! a row holds none (a null pointer) until one is; rows share an unchanged one when copied.
struct RowExtras {
    qint64 rev = 0;
    qint64 editedAtMs = 0; //!< 0: never edited
    qint64 deletedAtMs = 0;
    bool deleted = false;
    QList<MessageReaction> reactions;
    MessageReply replyTo;
    QStringList mentions;

    //! The extras of `message`, or null when it has none of the v1.1 state.
    static std::shared_ptr<const RowExtras> of(const Message &message);
    bool operator==(const RowExtras &) const = default;
};

//! One row of a MessageModel, kept compact: a server flood of 100k messages must not cost more
//! than about twice the content plus 200 bytes a message. The content is the message's own
//! QString, shared, not copied (the receive path hands over a tight buffer); the ids are in the
//! model's IdStore; authors are interned per model (AuthorTable); the room id is the model's; the
//! time is epoch milliseconds; flags are bits. A Failed row's error lives in a side table of the
//! model (failures are rare).
struct Row {
    QString content;
    std::shared_ptr<const RowExtras> extras; //!< null for a message without v1.1 state
    qint64 seq = 0;
    qint64 createdAtMs = 0;
    quint32 author = 0;
    quint32 idsAt = 0; //!< offset of the id and client id in the model's IdStore
    quint16 idLen = 0;
    quint16 clientIdLen = 0;
    quint8 status : 2 = quint8(Message::Status::Sent);
    quint8 firstOfAuthorRun : 1 = 1;
    quint8 firstOfDay : 1 = 1;
    quint8 latin1Ids : 1 = 0;

    static constexpr quint16 MaxIdLength = std::numeric_limits<quint16>::max();

    //! The row of `message` with `status` (a Pending row keeps no id or seq) by `author`, its
    //! ids added to `ids`.
    static Row make(const Message &message, Message::Status status, quint32 author, IdStore &ids);

    QStringView contentView() const { return content; }
    QString id(const IdStore &ids) const { return ids.text(idsAt, 0, idLen, latin1Ids); }
    QString clientId(const IdStore &ids) const
    {
        return ids.text(idsAt, idLen, clientIdLen, latin1Ids);
    }
    bool hasClientId(const IdStore &ids, QStringView other) const
    {
        return ids.equals(idsAt, idLen, clientIdLen, latin1Ids, other);
    }
    Message::Status statusValue() const { return Message::Status(status); }
};

struct Author {
    QString id;
    QString name;
    bool own = false;
};

//! The authors of one model, each (id, name) pair stored once; rows refer to them by index.
struct AuthorTable {
    std::vector<Author> all;

    quint32 intern(const QString &id, const QString &name, const QString &ownUserId);
    const Author &operator[](quint32 index) const { return all[index]; }
    void clear();

private:
    QHash<QString, quint32> m_index; //!< "id\0name" -> index into all
    quint32 m_last = std::numeric_limits<quint32>::max();
};

//! The local calendar day of a time, cached by the bounds of the last day computed: consecutive
//! messages mostly fall on the same day, and the time zone conversion is the costly part.
class DayOfTime {
public:
    qint64 operator()(qint64 ms) const;

private:
    mutable qint64 m_start = 1;
    mutable qint64 m_end = 0;
    mutable qint64 m_number = 0;
};

} // namespace Palaver
