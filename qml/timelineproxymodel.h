// SPDX-License-Identifier: MIT
#pragma once

#include <QIdentityProxyModel>
#include <QtQml/qqmlregistration.h>

namespace Palaver::Chat {

//! The room's MessageModel as the timeline's ListView sees it: the same rows and roles, but no
//! fetchMore(). Qt Quick views call fetchMore() when they reach their *end*, which is where new
//! messages arrive; the MessageModel's fetchMore() loads *older* history (rows at the top), so the
//! timeline asks for it itself (fetchMoreHistory()) when the user nears the top.
class TimelineProxyModel : public QIdentityProxyModel {
    Q_OBJECT
    QML_ELEMENT

public:
    using QIdentityProxyModel::QIdentityProxyModel;

    bool canFetchMore(const QModelIndex &) const override { return false; }
    void fetchMore(const QModelIndex &) override { }
};

} // namespace Palaver::Chat
