// SPDX-License-Identifier: MIT
#include "logging_p.h"
#include <Palaver/tokenstore.h>

#include <qt6keychain/keychain.h>

namespace Palaver {

class TokenStore::Private {
public:
    QString service;
};

namespace {

TokenStore::Error mapError(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError:
        return TokenStore::Error::NoError;
    case QKeychain::EntryNotFound:
        return TokenStore::Error::NotFound;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return TokenStore::Error::AccessDenied;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return TokenStore::Error::NoBackend;
    default:
        return TokenStore::Error::OtherError;
    }
}

template<typename Job> Job *makeJob(const QString &service, const QString &account, QObject *parent)
{
    auto *job = new Job(service, parent);
    job->setAutoDelete(true);
    // Never a plain-text file: a token the user did not agree to write down stays unwritten.
    job->setInsecureFallback(false);
    job->setKey(account);
    return job;
}

} // namespace

TokenStore::TokenStore(const QString &service, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->service = service;
}

TokenStore::~TokenStore() = default;

QString TokenStore::service() const
{
    return d->service;
}

void TokenStore::setService(const QString &service)
{
    if (d->service == service)
        return;
    d->service = service;
    Q_EMIT serviceChanged();
}

void TokenStore::store(const QString &account, const QString &token, Callback callback)
{
    auto *job = makeJob<QKeychain::WritePasswordJob>(d->service, account, this);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [this, account, callback](QKeychain::Job *j) {
        Result r { mapError(j->error()), j->error() ? j->errorString() : QString(), {} };
        if (r.ok()) {
            qCDebug(Log::client) << "token store: stored an entry";
            Q_EMIT stored(account);
        } else {
            qCWarning(Log::client) << "token store: cannot store:" << r.error << r.errorString;
            Q_EMIT failed(account, r.error, r.errorString);
        }
        if (callback)
            callback(r);
    });
    job->start();
}

void TokenStore::load(const QString &account, Callback callback)
{
    auto *job = makeJob<QKeychain::ReadPasswordJob>(d->service, account, this);
    connect(job, &QKeychain::Job::finished, this, [this, account, callback](QKeychain::Job *j) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
        Result r { mapError(j->error()), j->error() ? j->errorString() : QString(), {} };
        if (r.ok()) {
            r.token = read->textData();
            Q_EMIT loaded(account, r.token);
        } else {
            qCInfo(Log::client) << "token store: cannot load:" << r.error << r.errorString;
            Q_EMIT failed(account, r.error, r.errorString);
        }
        if (callback)
            callback(r);
    });
    job->start();
}

void TokenStore::remove(const QString &account, Callback callback)
{
    auto *job = makeJob<QKeychain::DeletePasswordJob>(d->service, account, this);
    connect(job, &QKeychain::Job::finished, this, [this, account, callback](QKeychain::Job *j) {
        Result r { mapError(j->error()), j->error() ? j->errorString() : QString(), {} };
        if (r.ok())
            Q_EMIT removed(account);
        else
            Q_EMIT failed(account, r.error, r.errorString);
        if (callback)
            callback(r);
    });
    job->start();
}

} // namespace Palaver
