// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace Palaver {

//! Keeps tokens in the platform's secret store (Secret Service / KWallet, macOS Keychain,
//! Windows Credential Store) through QtKeychain. It never falls back to a plain-text file: when
//! no secret store is available, the operation fails with NoBackend.
//!
//! Every operation is asynchronous and finishes once, on the store's thread: with its signal
//! (stored(), loaded(), removed()) or failed(), and with the callback when one was given.
class PALAVER_SDK_EXPORT TokenStore : public QObject {
    Q_OBJECT
    Q_PROPERTY(QString service READ service WRITE setService NOTIFY serviceChanged)

public:
    enum class Error {
        NoError,
        NotFound, //!< nothing stored under that account
        AccessDenied, //!< the user or the system refused access
        NoBackend, //!< no secret store is available (never a plain-text fallback)
        OtherError,
    };
    Q_ENUM(Error)

    //! How an operation ended; `token` is set by load() only.
    struct Result {
        Error error = Error::NoError;
        QString errorString;
        QString token;
        bool ok() const { return error == Error::NoError; }
    };
    using Callback = std::function<void(const Result &)>;

    //! `service` names the entries in the secret store (default "palaver").
    explicit TokenStore(
        const QString &service = QStringLiteral("palaver"), QObject *parent = nullptr);
    ~TokenStore() override;

    QString service() const;
    void setService(const QString &service);

    Q_INVOKABLE void store(const QString &account, const QString &token, Callback callback = {});
    Q_INVOKABLE void load(const QString &account, Callback callback = {});
    Q_INVOKABLE void remove(const QString &account, Callback callback = {});

Q_SIGNALS:
    void serviceChanged();
    void stored(const QString &account);
    void loaded(const QString &account, const QString &token);
    void removed(const QString &account);
    void failed(const QString &account, Palaver::TokenStore::Error error, const QString &message);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Palaver
