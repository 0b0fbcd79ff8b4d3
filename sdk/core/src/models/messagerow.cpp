// SPDX-License-Identifier: MIT
#include "messagerow_p.h"

#include <QDateTime>
#include <QStringBuilder>

#include <algorithm>
#include <cstring>

namespace Palaver {

namespace {
bool isLatin1(QStringView s)
{
    return std::all_of(s.cbegin(), s.cend(), [](QChar c) { return c.unicode() < 0x100; });
}

QStringView capped(const QString &s)
{
    return QStringView(s).first(std::min<qsizetype>(s.size(), Row::MaxIdLength));
}
} // namespace

quint32 IdStore::add(QStringView id, QStringView clientId, bool &latin1)
{
    latin1 = isLatin1(id) && isLatin1(clientId);
    const qsizetype n = (id.size() + clientId.size()) * (latin1 ? 1 : 2);
    if (n == 0)
        return 0;
    m_used += latin1 ? 0 : m_used & 1; // UTF-16 units at even offsets
    if (m_used + n > BlockSize) {
        const qsizetype blocks = (n + BlockSize - 1) / BlockSize;
        m_blocks.push_back(std::make_unique_for_overwrite<char[]>(std::max(n, BlockSize)));
        for (qsizetype i = 1; i < blocks; ++i)
            m_blocks.push_back(nullptr);
        m_used = 0;
    }
    const quint32 at = quint32((m_blocks.size() - 1) * BlockSize + m_used);
    char *p = m_blocks[at / BlockSize].get() + at % BlockSize;
    if (latin1) {
        p = std::transform(id.cbegin(), id.cend(), p, [](QChar c) { return char(c.unicode()); });
        std::transform(
            clientId.cbegin(), clientId.cend(), p, [](QChar c) { return char(c.unicode()); });
    } else {
        // memcpy wants non-null pointers even for 0 bytes, and an empty id has none.
        if (!id.isEmpty())
            std::memcpy(p, id.data(), size_t(id.size()) * 2);
        if (!clientId.isEmpty())
            std::memcpy(p + id.size() * 2, clientId.data(), size_t(clientId.size()) * 2);
    }
    m_used = n > BlockSize ? BlockSize : m_used + n; // after a long pair, a new block
    return at;
}

void IdStore::clear()
{
    m_blocks.clear();
    m_used = BlockSize;
}

std::shared_ptr<const RowExtras> RowExtras::of(const Message &m)
{
    if (m.rev == 0 && !m.isEdited() && !m.deleted && m.reactions.isEmpty() && !m.replyTo.isValid()
        && m.mentions.isEmpty())
        return nullptr;
    auto extras = std::make_shared<RowExtras>();
    extras->rev = m.rev;
    extras->editedAtMs = m.isEdited() ? m.editedAt.toMSecsSinceEpoch() : 0;
    extras->deletedAtMs = m.deletedAt.isValid() ? m.deletedAt.toMSecsSinceEpoch() : 0;
    extras->deleted = m.deleted;
    extras->reactions = m.reactions;
    extras->replyTo = m.replyTo;
    extras->mentions = m.mentions;
    return extras;
}

Row Row::make(const Message &m, Message::Status status, quint32 author, IdStore &ids)
{
    Row r;
    r.extras = RowExtras::of(m);
    // The receive path hands over a tight buffer: share it. A loose one (a decoder's worst-case
    // guess) is copied, so that the row does not keep the slack.
    const QString &c = m.content;
    r.content = c.capacity() - c.size() <= c.size() / 8 + 8 ? c : QString(c.constData(), c.size());
    const QStringView id = status == Message::Status::Sent ? capped(m.id) : QStringView();
    const QStringView clientId = capped(m.clientId);
    bool latin1 = false;
    r.idsAt = ids.add(id, clientId, latin1);
    r.latin1Ids = latin1;
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
