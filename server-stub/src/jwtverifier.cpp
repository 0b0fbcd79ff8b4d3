// SPDX-License-Identifier: MIT
#include "Palaver/Stub/jwtverifier.h"

#include "chattext_p.h"

#include <QDateTime>

#include <jwt.h>

#include <cmath>
#include <memory>

namespace Palaver::Stub {

namespace {

constexpr qsizetype MaxUserIdLength = 128;

struct JwtDeleter {
    void operator()(jwt_t *jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
    void operator()(char *p) const { free(p); } // NOLINT: libjwt returns malloc'ed strings
};
using CStringPtr = std::unique_ptr<char, FreeDeleter>;

// The header is checked by hand before libjwt sees the token: libjwt would happily verify other
// HMAC algorithms or `none`, and the pin must not depend on what a library version allows.
bool headerIsHs256(const QByteArray &token)
{
    const qsizetype dot = token.indexOf('.');
    if (dot <= 0)
        return false;
    const auto decoded = QByteArray::fromBase64Encoding(token.left(dot),
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals
            | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return false;
    const auto header
        = nlohmann::json::parse(decoded.decoded.constBegin(), decoded.decoded.constEnd(), nullptr,
            /*allow_exceptions=*/false);
    if (!header.is_object())
        return false;
    const auto alg = header.find("alg");
    return alg != header.end() && alg->is_string() && alg->get<std::string>() == "HS256";
}

QByteArray sign(const QByteArray &secret, const nlohmann::json &claims)
{
    jwt_t *raw = nullptr;
    if (jwt_new(&raw) != 0)
        return {};
    JwtPtr jwt(raw);
    const std::string json = claims.dump();
    if (jwt_add_grants_json(jwt.get(), json.c_str()) != 0)
        return {};
    if (jwt_set_alg(jwt.get(), JWT_ALG_HS256,
            reinterpret_cast<const unsigned char *>(secret.constData()), int(secret.size()))
        != 0)
        return {};
    CStringPtr out(jwt_encode_str(jwt.get()));
    return out ? QByteArray(out.get()) : QByteArray();
}

} // namespace

JwtVerifier::JwtVerifier(QByteArray secret) : m_secret(std::move(secret))
{
}

AuthResult JwtVerifier::verify(const nlohmann::json &token) const
{
    return verify(token, QDateTime::currentSecsSinceEpoch());
}

AuthResult JwtVerifier::verify(const nlohmann::json &token, qint64 nowSecs) const
{
    if (token.is_null() || (token.is_string() && token.get_ref<const std::string &>().empty()))
        return { AuthError::AuthRequired, {} };
    const AuthResult invalid { AuthError::InvalidToken, {} };
    if (!token.is_string() || m_secret.isEmpty())
        return invalid;
    const QByteArray text = QByteArray::fromStdString(token.get<std::string>());
    if (text.contains('\0') || text.count('.') != 2 || !headerIsHs256(text))
        return invalid;

    jwt_t *raw = nullptr;
    if (jwt_decode(&raw, text.constData(),
            reinterpret_cast<const unsigned char *>(m_secret.constData()), int(m_secret.size()))
        != 0)
        return invalid;
    JwtPtr jwt(raw);
    if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256)
        return invalid;
    CStringPtr grants(jwt_get_grants_json(jwt.get(), nullptr));
    if (!grants)
        return invalid;
    const auto claims = nlohmann::json::parse(grants.get(), nullptr, /*allow_exceptions=*/false);
    if (!claims.is_object())
        return invalid;

    // jsonwebtoken's order: nbf, then exp; `sub` is the application's check after that.
    if (const auto nbf = claims.find("nbf"); nbf != claims.end()) {
        if (!nbf->is_number() || nbf->get<double>() > double(nowSecs))
            return invalid;
    }
    const auto exp = claims.find("exp");
    if (exp == claims.end() || !exp->is_number() || !std::isfinite(exp->get<double>()))
        return invalid;
    if (double(nowSecs) >= exp->get<double>())
        return { AuthError::TokenExpired, {} };

    const auto sub = claims.find("sub");
    if (sub == claims.end() || !sub->is_string())
        return invalid;
    const QString id = Text::fromJson(*sub);
    if (id.isEmpty() || Text::codePoints(id) > MaxUserIdLength)
        return invalid;
    QString name = id;
    if (const auto n = claims.find("name");
        n != claims.end() && n->is_string() && !n->get_ref<const std::string &>().empty())
        name = Text::fromJson(*n);
    return { AuthError::None, { id, name } };
}

QByteArray JwtVerifier::mint(
    const QByteArray &secret, const QString &userId, const QString &name, qint64 ttlSecs)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    nlohmann::json claims
        = { { "sub", userId.toStdString() }, { "iat", now }, { "exp", now + ttlSecs } };
    if (!name.isEmpty())
        claims["name"] = name.toStdString();
    return sign(secret, claims);
}

QByteArray JwtVerifier::mintClaims(const QByteArray &secret, const nlohmann::json &claims)
{
    return sign(secret, claims);
}

QString JwtVerifier::message(AuthError error)
{
    switch (error) {
    case AuthError::None:
        return {};
    case AuthError::AuthRequired:
        return QStringLiteral("Authentication required");
    case AuthError::InvalidToken:
    case AuthError::TokenExpired:
        return QStringLiteral("Invalid token");
    }
    return {};
}

QString JwtVerifier::code(AuthError error)
{
    switch (error) {
    case AuthError::None:
        return {};
    case AuthError::AuthRequired:
        return QStringLiteral("auth_required");
    case AuthError::InvalidToken:
        return QStringLiteral("invalid_token");
    case AuthError::TokenExpired:
        return QStringLiteral("token_expired");
    }
    return {};
}

} // namespace Palaver::Stub
