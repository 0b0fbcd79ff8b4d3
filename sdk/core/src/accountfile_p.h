// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QUrl>

namespace Palaver {

//! The user a JWT names in its `sub` claim, read without verifying the token (the server
//! verifies it; this only picks the file an account's data lives in). Empty when the token is
//! not a JWT or names no subject.
QString jwtSubject(const QString &token);

//! The file name of an account's store: one per server and user, readable (`user@host_port`,
//! reduced to characters every file system takes) and unique (a hash of the exact server URL
//! and user id follows, so two names that read alike never share a file).
QString accountFileName(const QUrl &server, const QString &userId);

} // namespace Palaver
