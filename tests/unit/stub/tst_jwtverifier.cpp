// SPDX-License-Identifier: MIT
// JwtVerifier: HS256 pinned, exp required and checked, sub required, every refusal of PROTOCOL.md.

#include <Palaver/Stub/jwtverifier.h>

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QTest>

using namespace Palaver::Stub;
using nlohmann::json;

namespace {

const QByteArray Secret = QByteArrayLiteral("unit-secret");
constexpr qint64 Now = 1800000000;

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

enum class Sign { Hs256, Hs512, None, Hs256AsRs256 };

// Builds a token by hand, so the tests do not depend on the signer under test.
QByteArray craft(const json &header, const json &claims, const QByteArray &key = Secret,
    QCryptographicHash::Algorithm hash = QCryptographicHash::Sha256, bool sign = true)
{
    const QByteArray input = b64(QByteArray::fromStdString(header.dump())) + '.'
        + b64(QByteArray::fromStdString(claims.dump()));
    if (!sign)
        return input + '.';
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, key, hash));
}

json claims(qint64 expIn = 3600)
{
    return { { "sub", "alice" }, { "name", "Alice" }, { "exp", Now + expIn } };
}

const json Hs256 = { { "alg", "HS256" }, { "typ", "JWT" } };

} // namespace

Q_DECLARE_METATYPE(AuthError)

class TestJwtVerifier : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void accepted()
    {
        const JwtVerifier v(Secret);
        const auto r = v.verify(craft(Hs256, claims()).toStdString(), Now);
        QCOMPARE(r.error, AuthError::None);
        QCOMPARE(r.user.id, QStringLiteral("alice"));
        QCOMPARE(r.user.name, QStringLiteral("Alice"));
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("token"); // "<null>" / "<number>" stand for non-strings
        QTest::addColumn<AuthError>("error");
        const auto row = [](const char *name, const QByteArray &token, AuthError error) {
            QTest::newRow(name) << token << error;
        };
        row("null", "<null>", AuthError::AuthRequired);
        row("empty", "", AuthError::AuthRequired);
        row("number", "<number>", AuthError::InvalidToken);
        row("garbage", "not a token", AuthError::InvalidToken);
        row("two parts", "a.b", AuthError::InvalidToken);
        row("four parts", craft(Hs256, claims()) + ".x", AuthError::InvalidToken);
        row("header not json", b64("nope") + '.' + b64("{}") + ".sig", AuthError::InvalidToken);
        row("wrong secret", craft(Hs256, claims(), "other-secret"), AuthError::InvalidToken);
        QByteArray tampered = craft(Hs256, claims());
        const auto parts = tampered.split('.');
        json evil = claims();
        evil["sub"] = "mallory";
        tampered = parts[0] + '.' + b64(QByteArray::fromStdString(evil.dump())) + '.' + parts[2];
        row("tampered payload", tampered, AuthError::InvalidToken);
        row("bad signature encoding", craft(Hs256, claims()) + "!!", AuthError::InvalidToken);
        row("alg none",
            craft({ { "alg", "none" }, { "typ", "JWT" } }, claims(), Secret,
                QCryptographicHash::Sha256, false),
            AuthError::InvalidToken);
        row("alg none signed", craft({ { "alg", "none" } }, claims()), AuthError::InvalidToken);
        row("alg lower-case", craft({ { "alg", "hs256" } }, claims()), AuthError::InvalidToken);
        row("alg missing", craft({ { "typ", "JWT" } }, claims()), AuthError::InvalidToken);
        row("alg HS512",
            craft({ { "alg", "HS512" } }, claims(), Secret, QCryptographicHash::Sha512),
            AuthError::InvalidToken);
        row("alg HS384",
            craft({ { "alg", "HS384" } }, claims(), Secret, QCryptographicHash::Sha384),
            AuthError::InvalidToken);
        // Algorithm confusion: an RS256 header over an HMAC made with a key the attacker knows.
        row("alg RS256 with HMAC", craft({ { "alg", "RS256" } }, claims()),
            AuthError::InvalidToken);
        row("alg ES256", craft({ { "alg", "ES256" } }, claims()), AuthError::InvalidToken);
        row("expired", craft(Hs256, claims(-10)), AuthError::TokenExpired);
        row("expires now", craft(Hs256, claims(0)), AuthError::TokenExpired);
        json noSubExpired = claims(-10);
        noSubExpired.erase("sub");
        row("expired without sub", craft(Hs256, noSubExpired), AuthError::TokenExpired);
        json noExp = claims();
        noExp.erase("exp");
        row("no exp", craft(Hs256, noExp), AuthError::InvalidToken);
        json stringExp = claims();
        stringExp["exp"] = std::to_string(Now + 100);
        row("exp a string", craft(Hs256, stringExp), AuthError::InvalidToken);
        json noSub = claims();
        noSub.erase("sub");
        row("no sub", craft(Hs256, noSub), AuthError::InvalidToken);
        json emptySub = claims();
        emptySub["sub"] = "";
        row("empty sub", craft(Hs256, emptySub), AuthError::InvalidToken);
        json numberSub = claims();
        numberSub["sub"] = 42;
        row("sub a number", craft(Hs256, numberSub), AuthError::InvalidToken);
        json longSub = claims();
        longSub["sub"] = std::string(129, 'u');
        row("sub of 129 characters", craft(Hs256, longSub), AuthError::InvalidToken);
        json future = claims();
        future["nbf"] = Now + 100;
        row("not before the future", craft(Hs256, future), AuthError::InvalidToken);
        row("claims not an object", craft(Hs256, json::array({ 1, 2 })), AuthError::InvalidToken);
    }

    void refused()
    {
        QFETCH(QByteArray, token);
        QFETCH(AuthError, error);
        const JwtVerifier v(Secret);
        json value = token.toStdString();
        if (token == "<null>")
            value = nullptr;
        else if (token == "<number>")
            value = 12345;
        const auto r = v.verify(value, Now);
        QCOMPARE(r.error, error);
        QVERIFY(r.user.id.isEmpty());
    }

    void nameFallsBackToSub_data()
    {
        QTest::addColumn<QByteArray>("name"); // JSON, or empty for no claim
        QTest::newRow("absent") << QByteArray();
        QTest::newRow("empty") << QByteArray("\"\"");
        QTest::newRow("number") << QByteArray("7");
        QTest::newRow("null") << QByteArray("null");
    }

    void nameFallsBackToSub()
    {
        QFETCH(QByteArray, name);
        json c = claims();
        c.erase("name");
        if (!name.isEmpty())
            c["name"] = json::parse(name.toStdString());
        const auto r = JwtVerifier(Secret).verify(craft(Hs256, c).toStdString(), Now);
        QCOMPARE(r.error, AuthError::None);
        QCOMPARE(r.user.name, QStringLiteral("alice"));
    }

    void subOf128CodePointsIsAccepted()
    {
        json c = claims();
        std::string sub;
        for (int i = 0; i < 128; ++i)
            sub += "\xF0\x9F\x98\x80"; // U+1F600: 128 code points, 256 UTF-16 units
        c["sub"] = sub;
        const auto r = JwtVerifier(Secret).verify(craft(Hs256, c).toStdString(), Now);
        QCOMPARE(r.error, AuthError::None);
        QCOMPARE(r.user.id.size(), 256);
    }

    void pastNotBeforeIsAccepted()
    {
        json c = claims();
        c["nbf"] = Now - 5;
        QCOMPARE(
            JwtVerifier(Secret).verify(craft(Hs256, c).toStdString(), Now).error, AuthError::None);
    }

    void emptySecretAcceptsNothing()
    {
        const auto token = craft(Hs256, claims(), QByteArray());
        QCOMPARE(JwtVerifier(QByteArray()).verify(token.toStdString(), Now).error,
            AuthError::InvalidToken);
    }

    void mintRoundTrip()
    {
        const QByteArray token
            = JwtVerifier::mint(Secret, QStringLiteral("bob"), QStringLiteral("Bob"), 60);
        QCOMPARE(token.count('.'), 2);
        const auto header = json::parse(
            QByteArray::fromBase64(token.split('.').at(0), QByteArray::Base64UrlEncoding)
                .toStdString());
        QCOMPARE(
            QString::fromStdString(header.value("alg", std::string())), QStringLiteral("HS256"));
        const auto r = JwtVerifier(Secret).verify(token.toStdString());
        QCOMPARE(r.error, AuthError::None);
        QCOMPARE(r.user.id, QStringLiteral("bob"));
        QCOMPARE(r.user.name, QStringLiteral("Bob"));
        QCOMPARE(JwtVerifier("other").verify(token.toStdString()).error, AuthError::InvalidToken);
    }

    void wireMessages()
    {
        QCOMPARE(JwtVerifier::message(AuthError::AuthRequired),
            QStringLiteral("Authentication required"));
        QCOMPARE(JwtVerifier::code(AuthError::AuthRequired), QStringLiteral("auth_required"));
        QCOMPARE(JwtVerifier::message(AuthError::InvalidToken), QStringLiteral("Invalid token"));
        QCOMPARE(JwtVerifier::code(AuthError::InvalidToken), QStringLiteral("invalid_token"));
        QCOMPARE(JwtVerifier::message(AuthError::TokenExpired), QStringLiteral("Invalid token"));
        QCOMPARE(JwtVerifier::code(AuthError::TokenExpired), QStringLiteral("token_expired"));
    }
};

QTEST_GUILESS_MAIN(TestJwtVerifier)
#include "tst_jwtverifier.moc"
