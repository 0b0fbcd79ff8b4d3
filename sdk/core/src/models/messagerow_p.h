// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/message.h>

#include <QHash>
#include <QString>
#include <QStringView>

#include <limits>
#include <vector>

namespace Palaver {

//! One row of a MessageModel, kept compact: a server flood of 100k messages must not cost more
//! than about twice the content plus 200 bytes a message. The texts of a row share one
//! allocation: the content (UTF-16), then the id and the client id, as Latin-1 bytes two to a
//! QChar when they fit (UUIDs do), else as UTF-16. Authors are interned per model (AuthorTable);
//! the room id is the model's; the time is epoch milliseconds; flags are bits. A Failed row's
//! error lives in a side table of the model (failures are rare).
struct Row {
    QString text;
    qint64 seq = 0;
    qint64 createdAtMs = 0;
    quint32 author = 0;
    quint16 idLen = 0;
    quint16 clientIdLen = 0;
    quint8 status : 2 = quint8(Message::Status::Sent);
    quint8 firstOfAuthorRun : 1 = 1;
    quint8 firstOfDay : 1 = 1;
    quint8 latin1Ids : 1 = 0;

    static constexpr quint16 MaxIdLength = std::numeric_limits<quint16>::max();

    //! The row of `message` with `status` (a Pending row keeps no id or seq) by `author`.
    static Row make(const Message &message, Message::Status status, quint32 author);

    static qsizetype idUnits(qsizetype chars, bool latin1)
    {
        return latin1 ? (chars + 1) / 2 : chars;
    }
    qsizetype contentLen() const { return text.size() - idUnits(idLen + clientIdLen, latin1Ids); }
    QStringView contentView() const { return QStringView(text).first(contentLen()); }
    const char *idBytes() const
    {
        return reinterpret_cast<const char *>(text.constData() + contentLen());
    }
    QString id() const
    {
        return latin1Ids ? QString::fromLatin1(idBytes(), idLen)
                         : QStringView(text).sliced(contentLen(), idLen).toString();
    }
    QString clientId() const
    {
        return latin1Ids ? QString::fromLatin1(idBytes() + idLen, clientIdLen)
                         : QStringView(text).sliced(contentLen() + idLen, clientIdLen).toString();
    }
    bool hasClientId(QStringView other) const
    {
        if (other.size() != clientIdLen)
            return false;
        return latin1Ids ? QLatin1String(idBytes() + idLen, clientIdLen) == other
                         : QStringView(text).sliced(contentLen() + idLen, clientIdLen) == other;
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
