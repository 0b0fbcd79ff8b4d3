// SPDX-License-Identifier: MIT
#include "messagerow_p.h"

#include <QDateTime>
#include <QStringBuilder>

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#endif

namespace Palaver {

namespace {
//! Writes `s` to `out` (s.size() bytes) as Latin-1 when every unit fits, 16 units a step where
//! SSE2 is there (x86-64 always); false, with `out` partly written, when one does not fit. Qt
//! 6.4's isLatin1() and toLatin1() take a unit at a time and cost more than the rest of a row.
bool narrowToLatin1(QStringView s, char *out)
{
    const char16_t *p = s.utf16();
    const qsizetype n = s.size();
    qsizetype i = 0;
#if defined(__SSE2__)
    const __m128i high = _mm_set1_epi16(qint16(0xff00));
    for (; i + 16 <= n; i += 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i + 8));
        const __m128i over = _mm_and_si128(_mm_or_si128(a, b), high);
        if (_mm_movemask_epi8(_mm_cmpeq_epi16(over, _mm_setzero_si128())) != 0xffff)
            return false;
        _mm_storeu_si128(reinterpret_cast<__m128i *>(out + i), _mm_packus_epi16(a, b));
    }
#endif
    for (; i < n; ++i) {
        if (p[i] > 0xff)
            return false;
        out[i] = char(p[i]);
    }
    return true;
}

//! Asks the kernel for the pages of a fresh block at once, where it can (Linux 5.14+): a
//! flood fills a 64 KB block in a few dozen messages, and one call costs less than the sixteen
//! page faults of touching it page by page. Nothing happens elsewhere, or when it refuses.
void prefault(char *block, qsizetype size)
{
#if defined(MADV_POPULATE_WRITE)
    constexpr quintptr Page = 4096;
    const auto start = reinterpret_cast<quintptr>(block);
    const quintptr first = (start + Page - 1) & ~(Page - 1);
    const quintptr last = (start + quintptr(size)) & ~(Page - 1);
    if (last > first)
        madvise(reinterpret_cast<void *>(first), last - first, MADV_POPULATE_WRITE);
#else
    Q_UNUSED(block);
    Q_UNUSED(size);
#endif
}

QStringView capped(const QString &s)
{
    return QStringView(s).first(std::min<qsizetype>(s.size(), Row::MaxIdLength));
}

std::string_view capped(std::string_view s)
{
    return s.substr(0, std::min<size_t>(s.size(), Row::MaxIdLength));
}
} // namespace

TextStore::Place TextStore::add(
    QStringView id, QStringView clientId, QStringView content, bool &latin1)
{
    Place at;
    const qsizetype units = id.size() + clientId.size() + content.size();
    latin1 = true;
    if (units == 0)
        return at;
    char *p = reserve(units, true, at);
    if (narrowToLatin1(id, p) && narrowToLatin1(clientId, p + id.size())
        && narrowToLatin1(content, p + id.size() + clientId.size())) {
        m_used += units;
        return at;
    }
    latin1 = false; // the bytes written are overwritten, or left behind in a full block
    const qsizetype n = units * 2;
    p = reserve(n, false, at);
    for (QStringView text : { id, clientId, content }) {
        // memcpy wants non-null pointers even for 0 bytes, and an empty text may have none.
        if (!text.isEmpty())
            std::memcpy(p, text.data(), size_t(text.size()) * 2);
        p += text.size() * 2;
    }
    m_used += n;
    return at;
}

TextStore::Place TextStore::addAscii(
    std::string_view id, std::string_view clientId, std::string_view content)
{
    Place at;
    const qsizetype units = qsizetype(id.size() + clientId.size() + content.size());
    if (units == 0)
        return at;
    char *p = reserve(units, true, at);
    for (std::string_view text : { id, clientId, content }) {
        if (!text.empty())
            std::memcpy(p, text.data(), text.size());
        p += text.size();
    }
    m_used += units;
    return at;
}

char *TextStore::reserve(qsizetype n, bool latin1, Place &at)
{
    if (!latin1)
        m_used += m_used & 1; // UTF-16 units at even offsets
    if (m_blocks.empty() || m_used + n > m_size) {
        const qsizetype grown
            = m_blocks.empty() ? FirstBlockSize : std::min(2 * m_size, MaxBlockSize);
        m_size = std::max(n, grown);
        m_blocks.push_back(std::make_unique_for_overwrite<char[]>(size_t(m_size)));
        if (m_size >= MaxBlockSize)
            prefault(m_blocks.back().get(), m_size);
        m_used = 0;
    }
    at.block = quint32(m_blocks.size() - 1);
    at.offset = quint32(m_used);
    return m_blocks.back().get() + m_used;
}

void TextStore::clear()
{
    m_blocks.clear();
    m_used = 0;
    m_size = 0;
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

Row Row::make(const Message &m, Message::Status status, quint32 author, TextStore &store)
{
    Row r;
    r.extras = RowExtras::of(m);
    r.setTexts(store, status == Message::Status::Sent ? capped(m.id) : QStringView(),
        capped(m.clientId), m.content);
    r.seq = status == Message::Status::Sent ? m.seq : 0;
    r.createdAtMs = m.createdAt.isValid() ? m.createdAt.toMSecsSinceEpoch()
                                          : QDateTime::currentMSecsSinceEpoch();
    r.author = author;
    r.status = quint8(status);
    return r;
}

Row Row::make(const StreamedText &m, quint32 author, TextStore &store)
{
    Row r;
    const std::string_view id = capped(m.id);
    const std::string_view clientId = capped(m.clientId);
    const std::string_view content = m.content.substr(
        0, std::min<size_t>(m.content.size(), std::numeric_limits<quint32>::max()));
    r.texts = store.addAscii(id, clientId, content);
    r.latin1 = 1;
    r.idLen = quint16(id.size());
    r.clientIdLen = quint16(clientId.size());
    r.contentLen = quint32(content.size());
    r.seq = m.seq;
    r.createdAtMs = m.createdAtMs;
    r.author = author;
    r.status = quint8(Message::Status::Sent);
    return r;
}

void Row::setContent(TextStore &store, QStringView content)
{
    setTexts(store, id(store), clientId(store), content);
}

void Row::setTexts(TextStore &store, QStringView id, QStringView clientId, QStringView content)
{
    bool fits = false;
    // A content beyond 4 G units cannot come through a WebSocket message the SDK accepts.
    content
        = content.first(std::min<qsizetype>(content.size(), std::numeric_limits<quint32>::max()));
    texts = store.add(id, clientId, content, fits);
    latin1 = fits;
    idLen = quint16(id.size());
    clientIdLen = quint16(clientId.size());
    contentLen = quint32(content.size());
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
