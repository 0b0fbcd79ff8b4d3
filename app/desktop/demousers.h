// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>
#include <QVariantList>

namespace Palaver::Chat {

//! Reads the demo users of PALAVER_DEMO_TOKENS (`[{"id","name","token"}]`, set by the demo
//! launcher and never written to disk) into `[{id, name, token}]` maps for the sign-in page.
//! Entries without an id or a token are skipped; a missing name falls back to the id. On
//! malformed JSON returns an empty list and says why in `error`.
QVariantList parseDemoUsers(const QByteArray &json, QString *error = nullptr);

} // namespace Palaver::Chat
