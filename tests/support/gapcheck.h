// SPDX-License-Identifier: MIT
#pragma once

// What a gap-free, duplicate-free stream is, said once for the suites that check it (tst_gapfree,
// tst_interop_gapfree): each function returns an empty string when the stream is right, and
// otherwise what is wrong with it, with counts and the missing seqs, for QVERIFY2.

#include <Palaver/message.h>
#include <Palaver/messagemodel.h>

#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <algorithm>

namespace Palaver::Testing {

//! "4..13, 20, 22..30" for a sorted list of seqs; at most `limit` ranges, then "...".
inline QString seqRanges(const QList<qint64> &sorted, int limit = 8)
{
    QStringList parts;
    qsizetype i = 0;
    while (i < sorted.size()) {
        qsizetype j = i;
        while (j + 1 < sorted.size() && sorted.at(j + 1) == sorted.at(j) + 1)
            ++j;
        if (parts.size() == limit) {
            parts.append(QStringLiteral("..."));
            break;
        }
        parts.append(i == j ? QString::number(sorted.at(i))
                            : QStringLiteral("%1..%2").arg(sorted.at(i)).arg(sorted.at(j)));
        i = j + 1;
    }
    return parts.join(QStringLiteral(", "));
}

//! `seqs` in the order they were delivered must be exactly first, first + 1, ..., last: each once,
//! and (with `ordered`) each delivered seq the previous one + 1.
inline QString streamProblems(const QList<qint64> &seqs, qint64 first, qint64 last, bool ordered)
{
    const qint64 expected = last - first + 1;
    QMap<qint64, int> times;
    for (qint64 seq : seqs)
        times[seq] += 1;
    QList<qint64> missing;
    for (qint64 seq = first; seq <= last; ++seq) {
        if (!times.contains(seq))
            missing.append(seq);
    }
    QList<qint64> duplicated;
    QList<qint64> outside;
    for (auto it = times.cbegin(); it != times.cend(); ++it) {
        if (it.key() < first || it.key() > last)
            outside.append(it.key());
        else if (it.value() > 1)
            duplicated.append(it.key());
    }
    int disorders = 0;
    QString firstDisorder;
    for (qsizetype i = 1; i < seqs.size(); ++i) {
        if (seqs.at(i) != seqs.at(i - 1) + 1) {
            if (disorders == 0)
                firstDisorder = QStringLiteral("%1 then %2 at delivery %3")
                                    .arg(seqs.at(i - 1))
                                    .arg(seqs.at(i))
                                    .arg(i + 1);
            ++disorders;
        }
    }
    if (!seqs.isEmpty() && seqs.first() != first && disorders == 0)
        firstDisorder = QStringLiteral("began with %1").arg(seqs.first());

    const bool complete
        = missing.isEmpty() && duplicated.isEmpty() && outside.isEmpty() && seqs.size() == expected;
    if (complete && (!ordered || disorders == 0))
        return {};
    QString text = QStringLiteral("%1 deliveries for the %2 seqs %3..%4")
                       .arg(seqs.size())
                       .arg(expected)
                       .arg(first)
                       .arg(last);
    if (!missing.isEmpty())
        text += QStringLiteral("; %1 missing: %2").arg(missing.size()).arg(seqRanges(missing));
    if (!duplicated.isEmpty())
        text += QStringLiteral("; %1 delivered more than once: %2")
                    .arg(duplicated.size())
                    .arg(seqRanges(duplicated));
    if (!outside.isEmpty())
        text += QStringLiteral("; %1 outside the range: %2")
                    .arg(outside.size())
                    .arg(seqRanges(outside));
    if (ordered && disorders > 0)
        text += QStringLiteral("; not gap-free in delivery order %1 time(s), first: %2")
                    .arg(disorders)
                    .arg(firstDisorder);
    else if (ordered && !firstDisorder.isEmpty())
        text += QStringLiteral("; the stream %1").arg(firstDisorder);
    return text;
}

//! How many seqs of first..last that `seqs` lacks are in `among` (e.g. the re-join answers' pages).
inline int missingAmong(
    const QList<qint64> &seqs, qint64 first, qint64 last, const QSet<qint64> &among)
{
    const QSet<qint64> got(seqs.cbegin(), seqs.cend());
    int n = 0;
    for (qint64 seq : among)
        n += seq >= first && seq <= last && !got.contains(seq) ? 1 : 0;
    return n;
}

//! A timeline must hold seqs 1..expected, one row each, in order, all Sent, ids unique.
inline QString timelineProblems(const MessageModel *model, qint64 expected)
{
    QList<qint64> seqs;
    QSet<QString> ids;
    int notSent = 0;
    int repeatedIds = 0;
    for (int row = 0; row < model->count(); ++row) {
        const Message m = model->message(row);
        seqs.append(m.seq);
        if (m.status != Message::Status::Sent)
            ++notSent;
        if (ids.contains(m.id))
            ++repeatedIds;
        ids.insert(m.id);
    }
    QString text = streamProblems(seqs, 1, expected, true);
    if (notSent > 0)
        text += QStringLiteral("; %1 row(s) not Sent").arg(notSent);
    if (repeatedIds > 0)
        text += QStringLiteral("; %1 repeated id(s)").arg(repeatedIds);
    if (!text.isEmpty())
        text.prepend(QStringLiteral("%1 rows: ").arg(model->count()));
    return text;
}

} // namespace Palaver::Testing
