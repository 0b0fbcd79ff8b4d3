// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Stub/stubconfig.h>

#include <QStringList>

namespace Palaver::Stub::Cli {

//! Runs `palaver-stub [options]`; returns the exit code.
int runServer(const QStringList &arguments);
//! Runs `palaver-stub token --user ID --name NAME [--ttl SECONDS] [--secret S]`.
int runToken(const QStringList &arguments);

} // namespace Palaver::Stub::Cli
