# Warnings, strict Qt defines and sanitizers for every Palaver target.

add_compile_options(-Wall -Wextra -Wpedantic)
if(PALAVER_WERROR)
    add_compile_options(-Werror)
endif()

# The strict Qt defines of STYLE.md: no implicit conversions between 8-bit strings and QString,
# no URL from a plain string, no narrowing in connect(), and Q_EMIT/Q_SIGNALS/Q_SLOTS only.
add_compile_definitions(
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_KEYWORDS
    QT_NO_FOREACH
    QT_USE_QSTRINGBUILDER)

if(PALAVER_SANITIZE)
    add_compile_options(-fsanitize=${PALAVER_SANITIZE} -fno-omit-frame-pointer
                        -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${PALAVER_SANITIZE})
endif()
