// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <optional>

namespace Palaver::Bot {

class CommandBot;

//! Registers palaver-bot's commands on `bot`: /echo TEXT, /ping, /roll NdM, /who, /uptime
//! (/help is built into every CommandBot).
void addStandardCommands(CommandBot &bot);

//! A parsed `NdM` dice spec: `count` in 1..100, `sides` in 2..1000; nullopt otherwise.
struct DiceSpec {
    int count = 0;
    int sides = 0;
};
std::optional<DiceSpec> parseDice(const QString &spec);

//! "3d 04h 05m 06s" style, leading zero units dropped ("42s", "5m 03s").
QString formatDuration(qint64 ms);

} // namespace Palaver::Bot
