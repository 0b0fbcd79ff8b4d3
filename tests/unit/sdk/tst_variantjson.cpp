// SPDX-License-Identifier: MIT
#include "variantjson_p.h"

#include <QDateTime>
#include <QTest>
#include <QUuid>

using namespace Palaver;

// QCOMPARE cannot print nlohmann::json; show both dumps instead.
#define JCOMPARE(actual, expected)                                                                 \
    do {                                                                                           \
        const nlohmann::json a_ = (actual);                                                        \
        const nlohmann::json e_ = (expected);                                                      \
        QVERIFY2(a_ == e_, qPrintable(QString::fromStdString(a_.dump() + " != " + e_.dump())));    \
    } while (false)

class TestVariantJson : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scalars()
    {
        JCOMPARE(VariantJson::toJson(QVariant()), nlohmann::json(nullptr));
        JCOMPARE(VariantJson::toJson(QVariant::fromValue(nullptr)), nlohmann::json(nullptr));
        JCOMPARE(VariantJson::toJson(true), nlohmann::json(true));
        JCOMPARE(VariantJson::toJson(42), nlohmann::json(42));
        JCOMPARE(VariantJson::toJson(qint64(1) << 53), nlohmann::json(std::int64_t(1) << 53));
        JCOMPARE(VariantJson::toJson(quint64(18446744073709551615ULL)),
            nlohmann::json(std::uint64_t(18446744073709551615ULL)));
        JCOMPARE(VariantJson::toJson(1.5), nlohmann::json(1.5));
        JCOMPARE(VariantJson::toJson(QStringLiteral("héllo")), nlohmann::json("h\xc3\xa9llo"));
        JCOMPARE(VariantJson::toJson(QString()), nlohmann::json(""));
        const QUuid id = QUuid::createUuid();
        JCOMPARE(VariantJson::toJson(id),
            nlohmann::json(id.toString(QUuid::WithoutBraces).toStdString()));
        const QDateTime t = QDateTime::fromMSecsSinceEpoch(1'700'000'000'123, Qt::UTC);
        JCOMPARE(VariantJson::toJson(t), nlohmann::json("2023-11-14T22:13:20.123Z"));
    }

    void containers()
    {
        QVariantMap inner { { QStringLiteral("k"), 1 } };
        QVariantList list { 1, QStringLiteral("two"), inner, QVariantList { true, QVariant() } };
        const auto j = VariantJson::toJson(list);
        JCOMPARE(j, nlohmann::json::parse(R"([1,"two",{"k":1},[true,null]])"));
        QVariantHash hash { { QStringLiteral("a"), 1 } };
        JCOMPARE(VariantJson::toJson(QVariant(hash)), nlohmann::json::parse(R"({"a":1})"));
        QStringList strings { QStringLiteral("x"), QStringLiteral("y") };
        JCOMPARE(VariantJson::toJson(QVariant(strings)), nlohmann::json::parse(R"(["x","y"])"));
    }

    void binary()
    {
        const QByteArray bytes("\x00\x01\xff\x7f", 4);
        const auto j = VariantJson::toJson(QVariant(bytes));
        QVERIFY(j.is_binary());
        QCOMPARE(j.get_binary().size(), size_t(4));
        QCOMPARE(j.get_binary()[2], std::uint8_t(0xff));
        const QVariant back = VariantJson::fromJson(j);
        QCOMPARE(back.typeId(), int(QMetaType::QByteArray));
        QCOMPARE(back.toByteArray(), bytes);
        // Empty binary stays binary, nested binary too.
        QVariantMap m { { QStringLiteral("file"), QByteArray() } };
        const auto jm = VariantJson::toJson(QVariant(m));
        QVERIFY(jm["file"].is_binary());
        QCOMPARE(VariantJson::fromJson(jm).toMap().value(QStringLiteral("file")).typeId(),
            int(QMetaType::QByteArray));
    }

    void fromJson()
    {
        const auto j = nlohmann::json::parse(
            R"({"i":-3,"u":18446744073709551615,"d":2.5,"s":"x","n":null,"a":[1,{"b":false}]})");
        const QVariantMap m = VariantJson::fromJson(j).toMap();
        QCOMPARE(m.value(QStringLiteral("i")).typeId(), int(QMetaType::LongLong));
        QCOMPARE(m.value(QStringLiteral("i")).toLongLong(), -3);
        QCOMPARE(m.value(QStringLiteral("u")).typeId(), int(QMetaType::ULongLong));
        QCOMPARE(m.value(QStringLiteral("u")).toULongLong(), 18446744073709551615ULL);
        QCOMPARE(m.value(QStringLiteral("d")).toDouble(), 2.5);
        QCOMPARE(m.value(QStringLiteral("s")).toString(), QStringLiteral("x"));
        QVERIFY(!m.value(QStringLiteral("n")).isValid());
        QVERIFY(m.contains(QStringLiteral("n")));
        const QVariantList a = m.value(QStringLiteral("a")).toList();
        QCOMPARE(a.size(), 2);
        QCOMPARE(a.at(1).toMap().value(QStringLiteral("b")).toBool(), false);
        QCOMPARE(VariantJson::listFromJson(nlohmann::json(5)), (QVariantList { qint64(5) }));
    }

    void roundTrip()
    {
        QVariantList in { QStringLiteral("message:send"),
            QVariantMap { { QStringLiteral("roomId"), QStringLiteral("general") },
                { QStringLiteral("content"), QStringLiteral("hi ✓") },
                { QStringLiteral("n"), qint64(7) },
                { QStringLiteral("bin"), QByteArray("abc") } } };
        const QVariantList out = VariantJson::listFromJson(VariantJson::toJson(in));
        QCOMPARE(out, in);
    }
};

QTEST_GUILESS_MAIN(TestVariantJson)
#include "tst_variantjson.moc"
