// SPDX-License-Identifier: MIT
#pragma once

#include "frametext_p.h"

#include <QString>

#include <string>
#include <string_view>

namespace Palaver {

//! The QString of the last UTF-8 text it converted. A stream of `message:new` repeats the same
//! room id and the same few authors, so handing out a shared copy of the previous QString saves
//! an allocation and a UTF-8 decode per field and message; a miss costs one short compare.
class RecentString {
public:
    const QString &get(std::string_view utf8, const FrameText &text = {})
    {
        if (!m_filled || utf8 != m_utf8) {
            m_filled = true;
            m_utf8.assign(utf8);
            m_value = text(utf8);
        }
        return m_value;
    }

private:
    std::string m_utf8;
    QString m_value;
    bool m_filled = false;
};

} // namespace Palaver
