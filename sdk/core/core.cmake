# Sources of the connection core (Client, transport, policy, acks, outbox, token store).
# Public headers are listed too, so that AUTOMOC sees them.
set(PALAVER_SDK_CORE_SOURCES
    include/Palaver/message.h
    src/message.cpp
    include/Palaver/ackresult.h
    include/Palaver/reconnectpolicy.h
    src/reconnectpolicy.cpp
    src/ackregistry_p.h
    src/ackregistry.cpp
    src/outbox_p.h
    src/outbox.cpp
    src/variantjson_p.h
    src/variantjson.cpp
    src/timestamp_p.h
    src/timestamp.cpp
    include/Palaver/client.h
    src/client_p.h
    src/client.cpp
    src/transport_p.h
    src/transport.cpp
    include/Palaver/networkreachability.h
    src/networkmonitor_p.h
    src/networkreachability.cpp
    include/Palaver/tokenstore.h
    src/tokenstore.cpp
)
list(TRANSFORM PALAVER_SDK_CORE_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
