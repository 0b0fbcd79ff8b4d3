// SPDX-License-Identifier: MIT
#include "messagerow_p.h"

#include <QDateTime>
#include <QStringBuilder>

#include <algorithm>

namespace Palaver {

namespace {
bool isLatin1(const QString &s)
{
    return std::all_of(s.cbegin(), s.cend(), [](QChar c) { return c.unicode() < 0x100; });
}
} // namespace

Row Row::make(const Message &m, Message::Status status, quint32 author)
{
    Row r;
    const QString id = status == Message::Status::Sent ? m.id.left(MaxIdLength) : QString();
    const QString clientId = m.clientId.left(MaxIdLength);
    if (isLatin1(id) && isLatin1(clientId)) {
        const qsizetype n = m.content.size();
        r.text = QString(n + Row::idUnits(id.size() + clientId.size(), true), Qt::Uninitialized);
        std::copy(m.content.cbegin(), m.content.cend(), r.text.begin());
        const QByteArray idBytes = id.toLatin1();
        const QByteArray clientIdBytes = clientId.toLatin1();
        char *bytes = reinterpret_cast<char *>(r.text.data() + n);
        if (const qsizetype region = (r.text.size() - n) * 2; region > 0)
            bytes[region - 1] = 0; // the odd byte, if any
        bytes = std::copy(idBytes.cbegin(), idBytes.cend(), bytes);
        std::copy(clientIdBytes.cbegin(), clientIdBytes.cend(), bytes);
        r.latin1Ids = 1;
    } else {
        r.text = m.content % id % clientId;
    }
    r.idLen = quint16(id.size());
    r.clientIdLen = quint16(clientId.size());
    r.seq = status == Message::Status::Sent ? m.seq : 0;
    r.createdAtMs = m.createdAt.isValid() ? m.createdAt.toMSecsSinceEpoch()
                                          : QDateTime::currentMSecsSinceEpoch();
    r.author = author;
    r.status = quint8(status);
    return r;
}

quint32 AuthorTable::intern(const QString &id, const QString &name, const QString &ownUserId)
{
    if (m_last < all.size()) {
        const Author &last = all[m_last];
        if (last.id == id && last.name == name)
            return m_last;
    }
    const QString key = id % QChar(0) % name;
    auto it = m_index.constFind(key);
    if (it == m_index.cend()) {
        all.push_back({ id, name, !ownUserId.isEmpty() && id == ownUserId });
        it = m_index.insert(key, quint32(all.size() - 1));
    }
    m_last = *it;
    return m_last;
}

void AuthorTable::clear()
{
    all.clear();
    m_index.clear();
    m_last = std::numeric_limits<quint32>::max();
}

qint64 DayOfTime::operator()(qint64 ms) const
{
    if (ms >= m_start && ms < m_end)
        return m_number;
    const QDate date = QDateTime::fromMSecsSinceEpoch(ms).date();
    m_number = date.toJulianDay();
    m_start = date.startOfDay().toMSecsSinceEpoch();
    m_end = date.addDays(1).startOfDay().toMSecsSinceEpoch();
    if (ms < m_start || ms >= m_end) { // a zone transition at midnight: do not cache
        m_start = 1;
        m_end = 0;
    }
    return m_number;
}

} // namespace Palaver
