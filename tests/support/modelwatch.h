// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/membermodel.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QAbstractItemModelTester>

#include <memory>
#include <vector>

namespace Palaver::Testing {

//! QAbstractItemModelTesters on a room's models (the timeline with fetchMore on), made before
//! data arrives; destroyed before the models when declared after the Client.
class ModelWatch {
public:
    void room(Room *room)
    {
        add(room->messages(), true);
        add(room->members());
    }
    void add(QAbstractItemModel *model, bool fetchMore = false)
    {
        auto tester = std::make_unique<QAbstractItemModelTester>(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester->setUseFetchMore(fetchMore);
        m_testers.push_back(std::move(tester));
    }

private:
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
};

} // namespace Palaver::Testing
