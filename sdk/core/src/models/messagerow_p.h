// SPDX-License-Identifier: MIT
#pragma once

#include "streamedtext_p.h"
#include <Palaver/message.h>

#include <QHash>
#include <QString>
#include <QStringView>

#include <limits>
#include <memory>
#include <string_view>
#include <vector>

namespace Palaver {

//! The texts of one model's rows (id, client id and content), packed one row after the other
//! into blocks of its own, so that a row needs no allocation of its own for them: Latin-1 bytes
//! when all three fit (UUIDs and most chat text do: half the memory of UTF-16), else UTF-16.
//! Blocks grow from 4 KB to 64 KB, so a small room costs little and a flood fills whole pages
//! one after the other; a row's texts longer than a block get a block of their own. The texts of
//! replaced rows (a confirmed, discarded or edited message, a few a minute) stay until `clear()`.
class TextStore {
public:
    struct Place {
        quint32 block = 0;
        quint32 offset = 0;
    };

    //! Stores `id`, `clientId` and `content` one after the other; `latin1` says how.
    Place add(QStringView id, QStringView clientId, QStringView content, bool &latin1);
    //! The `len` units at `skip` units into the texts at `at`.
    QString text(Place at, qsizetype skip, qsizetype len, bool latin1) const
    {
        if (len == 0)
            return {};
        const char *p = bytes(at, skip, latin1);
        return latin1 ? QString::fromLatin1(p, len)
                      : QString(reinterpret_cast<const QChar *>(p), len);
    }
    bool equals(Place at, qsizetype skip, qsizetype len, bool latin1, QStringView other) const
    {
        if (other.size() != len)
            return false;
        if (len == 0)
            return true;
        const char *p = bytes(at, skip, latin1);
        return latin1 ? QLatin1StringView(p, len) == other
                      : QStringView(reinterpret_cast<const char16_t *>(p), len) == other;
    }
    //! The same for texts known to be ASCII (`latin1` is then always true).
    Place addAscii(std::string_view id, std::string_view clientId, std::string_view content);
    void clear();

private:
    static constexpr qsizetype FirstBlockSize = 4096;
    static constexpr qsizetype MaxBlockSize = 65536;
    const char *bytes(Place at, qsizetype skip, bool latin1) const
    {
        return m_blocks[at.block].get() + at.offset + (latin1 ? skip : 2 * skip);
    }
    //! Room for `n` bytes at the end of the last block (at an even offset for UTF-16), or in a
    //! new block.
    char *reserve(qsizetype n, bool latin1, Place &at);

    std::vector<std::unique_ptr<char[]>> m_blocks;
    qsizetype m_used = 0; //!< bytes used of the last block
    qsizetype m_size = 0; //!< bytes of the last block
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
//! than about twice the content plus 200 bytes a message. The texts (id, client id, content)
//! are in the model's TextStore, Latin-1 when they fit, so the decoder's UTF-16 buffer goes back
//! to the allocator for the next message instead of staying as fresh memory a row; authors are
//! interned per model (AuthorTable); the room id is the model's; the time is epoch milliseconds;
//! flags are bits. A Failed row's error lives in a side table of the model (failures are rare).
struct Row {
    std::shared_ptr<const RowExtras> extras; //!< null for a message without v1.1 state
    qint64 seq = 0;
    qint64 createdAtMs = 0;
    quint32 author = 0;
    TextStore::Place texts; //!< where id, client id and content are in the model's TextStore
    quint32 contentLen = 0;
    quint16 idLen = 0;
    quint16 clientIdLen = 0;
    quint8 status : 2 = quint8(Message::Status::Sent);
    quint8 firstOfAuthorRun : 1 = 1;
    quint8 firstOfDay : 1 = 1;
    quint8 latin1 : 1 = 0;

    static constexpr quint16 MaxIdLength = std::numeric_limits<quint16>::max();

    //! The row of `message` with `status` (a Pending row keeps no id or seq) by `author`, its
    //! texts added to `store`.
    static Row make(
        const Message &message, Message::Status status, quint32 author, TextStore &store);
    //! The Sent row of a streamed message.
    static Row make(const StreamedText &message, quint32 author, TextStore &store);

    //! The content becomes `content` (the ids are stored again with it).
    void setContent(TextStore &store, QStringView content);
    QString content(const TextStore &store) const
    {
        return store.text(texts, idLen + clientIdLen, contentLen, latin1);
    }
    bool hasContent(const TextStore &store, QStringView other) const
    {
        return store.equals(texts, idLen + clientIdLen, contentLen, latin1, other);
    }
    QString id(const TextStore &store) const { return store.text(texts, 0, idLen, latin1); }
    bool hasId(const TextStore &store, QStringView other) const
    {
        return store.equals(texts, 0, idLen, latin1, other);
    }
    QString clientId(const TextStore &store) const
    {
        return store.text(texts, idLen, clientIdLen, latin1);
    }
    bool hasClientId(const TextStore &store, QStringView other) const
    {
        return store.equals(texts, idLen, clientIdLen, latin1, other);
    }
    Message::Status statusValue() const { return Message::Status(status); }

private:
    void setTexts(TextStore &store, QStringView id, QStringView clientId, QStringView content);
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
