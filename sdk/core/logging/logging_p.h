// SPDX-License-Identifier: MIT
#pragma once

// Every logging category of Palaver, in one place. The SDK's own (protocol, transport, client,
// models) default to Warning: a library must not print its state changes on its host's stderr.
// The programs' categories (stub, bot, chat) default to Info. `--verbose` of palaver-bot,
// palaver-stub and palaver-chat turns Info on for every palaver.* category; debug output is
// opt-in with QT_LOGGING_RULES="palaver.*.debug=true" (or "palaver.*=true" for every level).
// Tokens, `pid` and message content are never logged, at any level.

#include <QLoggingCategory>
#include <QString>

namespace Palaver::Log {

//! A program's `--verbose`: Info for every palaver.* category. These are API rules, which Qt
//! evaluates before QT_LOGGING_CONF and QT_LOGGING_RULES, so a user's rules still win.
inline void enableVerbose()
{
    QLoggingCategory::setFilterRules(QStringLiteral("palaver.*.info=true"));
}

// Each macro is a whole function definition: one per line.
// clang-format off
inline Q_LOGGING_CATEGORY(protocol, "palaver.protocol", QtWarningMsg)
inline Q_LOGGING_CATEGORY(transport, "palaver.transport", QtWarningMsg)
inline Q_LOGGING_CATEGORY(client, "palaver.client", QtWarningMsg)
inline Q_LOGGING_CATEGORY(models, "palaver.models", QtWarningMsg)
inline Q_LOGGING_CATEGORY(stub, "palaver.stub", QtInfoMsg)
inline Q_LOGGING_CATEGORY(bot, "palaver.bot", QtInfoMsg)
inline Q_LOGGING_CATEGORY(chat, "palaver.chat", QtInfoMsg)
// clang-format on

} // namespace Palaver::Log
