// SPDX-License-Identifier: MIT
#pragma once

#include <QSqlDatabase>
#include <QString>

//! The stub's SQLite schema and its migrations, versioned by `PRAGMA user_version`.
namespace Palaver::Stub::Schema {

//! 0: the v1 stub's `messages` table (or an empty file); 1: contract v1.1.
inline constexpr int Current = 1;

//! Brings `db` to the current schema in one transaction: creates it in an empty file, migrates a
//! v1 file in place (its messages kept, the new columns at their v1 defaults). Refuses a file of
//! a newer schema rather than guess at it.
bool migrate(QSqlDatabase &db, QString *error);

} // namespace Palaver::Stub::Schema
