// SPDX-License-Identifier: MIT
#pragma once

// Every logging category of Palaver, in one place. Default level Info: debug output is opt-in
// with QT_LOGGING_RULES="palaver.*.debug=true". Tokens, `pid` and message content are never
// logged, at any level.

#include <QLoggingCategory>

namespace Palaver::Log {

// Each macro is a whole function definition: one per line.
// clang-format off
inline Q_LOGGING_CATEGORY(protocol, "palaver.protocol", QtInfoMsg)
inline Q_LOGGING_CATEGORY(transport, "palaver.transport", QtInfoMsg)
inline Q_LOGGING_CATEGORY(client, "palaver.client", QtInfoMsg)
inline Q_LOGGING_CATEGORY(models, "palaver.models", QtInfoMsg)
inline Q_LOGGING_CATEGORY(stub, "palaver.stub", QtInfoMsg)
inline Q_LOGGING_CATEGORY(bot, "palaver.bot", QtInfoMsg)
// clang-format on

} // namespace Palaver::Log
