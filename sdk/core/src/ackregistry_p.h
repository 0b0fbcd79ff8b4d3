// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/ackresult.h>
#include <Palaver/palaversdk_export.h>

#include <QObject>

#include <cstdint>
#include <functional>
#include <unordered_map>

class QTimer;

namespace Palaver {

//! The requests waiting for an ack. Each one completes exactly once: resolve() with the answer,
//! its own timeout, or fail()/failAll() (the connection went away). Completions that come too
//! late (an ack for an id that already timed out, a wrong id) are ignored and reported as such.
//! Callbacks run after the entry is removed, so a callback may add or fail other requests.
class PALAVER_SDK_EXPORT AckRegistry : public QObject {
    Q_OBJECT

public:
    using Callback = std::function<void(const AckResult &)>;

    explicit AckRegistry(QObject *parent = nullptr);
    ~AckRegistry() override;

    //! Registers a request; returns its ack id. timeoutMs <= 0 means no timeout (the request
    //! still ends on disconnect).
    std::uint64_t add(int timeoutMs, Callback callback);
    //! Completes `id` with the server's answer. False when no request waits for that id.
    bool resolve(std::uint64_t id, const QVariantList &args);
    //! Completes `id` with an error. False when no request waits for that id.
    bool fail(std::uint64_t id, AckResult::Error error, const QString &message);
    //! Completes every waiting request with an error, e.g. Disconnected.
    void failAll(AckResult::Error error, const QString &message);

    bool contains(std::uint64_t id) const { return m_pending.count(id) != 0; }
    int pendingCount() const { return int(m_pending.size()); }

private:
    struct Entry {
        Callback callback;
        QTimer *timer = nullptr;
    };
    bool complete(std::uint64_t id, AckResult result);

    std::unordered_map<std::uint64_t, Entry> m_pending;
    std::uint64_t m_nextId = 0;
};

} // namespace Palaver
