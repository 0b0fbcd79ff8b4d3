// SPDX-License-Identifier: MIT
// What the GUI tests of palaver-chat share: finding items of the window by object name (the
// delegates of views and the popups included), typing into it, and the timeline's labels.
#pragma once

#include <QList>
#include <QQmlApplicationEngine>
#include <QQmlError>
#include <QQuickItem>
#include <QQuickWindow>
#include <QString>
#include <QTest>

namespace QuickItems {

// QTest::keyClicks() exists for widgets only.
inline void typeText(QWindow *window, const QString &text)
{
    for (const QChar c : text) {
        if (c == QLatin1Char('\n'))
            QTest::keyClick(window, Qt::Key_Return, Qt::ShiftModifier); // a new line, not a send
        else
            QTest::keyClick(window, c.toLatin1());
    }
}

// Delegates of views have no QObject parent: items are found in the visual tree.
inline void collectItems(QQuickItem *item, const QString &name, QList<QQuickItem *> *found)
{
    if (item->objectName() == name)
        found->append(item);
    const auto children = item->childItems();
    for (QQuickItem *child : children)
        collectItems(child, name, found);
}

inline QQuickItem *rootItem(QObject *root)
{
    if (auto *window = qobject_cast<QQuickWindow *>(root))
        return window->contentItem();
    return qobject_cast<QQuickItem *>(root);
}

inline QList<QQuickItem *> findItems(QObject *root, const QString &name)
{
    QList<QQuickItem *> found;
    if (QQuickItem *item = rootItem(root))
        collectItems(item, name, &found);
    // Popups (the room switcher) live in the window's overlay, outside the content item.
    if (auto *window = qobject_cast<QQuickWindow *>(root)) {
        const auto objects = window->findChildren<QQuickItem *>(name);
        for (QQuickItem *object : objects) {
            if (!found.contains(object))
                found.append(object);
        }
    }
    return found;
}

inline QQuickItem *findItem(QObject *root, const QString &name)
{
    const auto found = findItems(root, name);
    return found.isEmpty() ? nullptr : found.constFirst();
}

// The visible `content` labels of the timeline's delegates whose text is exactly `text`.
inline QList<QQuickItem *> contentLabels(QObject *root, const QString &text)
{
    QList<QQuickItem *> found;
    const auto items = findItems(root, QStringLiteral("content"));
    for (QQuickItem *item : items) {
        if (item->property("text").toString() == text && item->isVisible())
            found.append(item);
    }
    return found;
}

//! Loads palaver-chat's Main.qml as the app does (the SDK's module from PALAVER_TEST_QML_PATH,
//! Palaver.Chat from the resources), with `properties`, and shows its window; null on failure.
//! QML warnings are test warnings.
inline QQuickWindow *loadChatWindow(
    QQmlApplicationEngine &engine, const QVariantMap &properties, QSize size)
{
    QObject::connect(&engine, &QQmlEngine::warnings, &engine, [](const QList<QQmlError> &warnings) {
        for (const QQmlError &warning : warnings)
            qWarning("QML: %s", qPrintable(warning.toString()));
    });
    for (const QString &path :
        qEnvironmentVariable("PALAVER_TEST_QML_PATH").split(QLatin1Char(':'), Qt::SkipEmptyParts))
        engine.addImportPath(path);
    engine.addImportPath(QStringLiteral("qrc:/qt/qml")); // last: takes precedence
    engine.setInitialProperties(properties);
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Palaver/Chat/Main.qml")));
    if (engine.rootObjects().size() != 1)
        return nullptr;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window)
        return nullptr;
    window->resize(size);
    window->show();
    return QTest::qWaitForWindowExposed(window) ? window : nullptr;
}

//! A left click in the middle of `item`, once it is visible and enabled.
inline void clickItem(QQuickWindow *window, QQuickItem *item)
{
    QVERIFY(item);
    QTRY_VERIFY(item->isVisible() && item->isEnabled());
    const QPointF center = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(window, Qt::LeftButton, {}, center.toPoint());
}

} // namespace QuickItems
