// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

#include <nlohmann/json.hpp>

namespace Palaver::Stub {

//! Who a token says the user is.
struct AuthUser {
    QString id;
    QString name;
};

//! The three refusals of PROTOCOL.md, or none.
enum class AuthError { None, AuthRequired, InvalidToken, TokenExpired };

struct AuthResult {
    AuthError error = AuthError::None;
    AuthUser user;
};

//! Verifies the CONNECT token: HS256 only (the header's `alg` is pinned before the signature is
//! checked, so neither `none` nor an algorithm confusion gets through), `exp` required and checked,
//! `sub` required (1..128 code points), `name` optional (falls back to `sub`).
class JwtVerifier {
public:
    explicit JwtVerifier(QByteArray secret);

    //! `token` is the auth payload's `token` value as sent (null when absent).
    AuthResult verify(const nlohmann::json &token, qint64 nowSecs) const;
    AuthResult verify(const nlohmann::json &token) const;

    //! Signs an HS256 token with `sub`, `name` (when not empty), `iat` and `exp = now + ttl`.
    static QByteArray mint(
        const QByteArray &secret, const QString &userId, const QString &name, qint64 ttlSecs);
    //! Signs arbitrary claims with HS256 (for tests that need odd claims).
    static QByteArray mintClaims(const QByteArray &secret, const nlohmann::json &claims);

    //! The wire message and code of a refusal, e.g. {"Invalid token", "token_expired"}.
    static QString message(AuthError error);
    static QString code(AuthError error);

private:
    QByteArray m_secret;
};

} // namespace Palaver::Stub
