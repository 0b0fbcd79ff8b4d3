# Sources of the item models (MessageModel, MemberModel, RoomListModel).
# Public headers are listed too, so that AUTOMOC sees them.
set(PALAVER_SDK_MODEL_SOURCES
    include/Palaver/member.h
    include/Palaver/membermodel.h
    include/Palaver/messagemodel.h
    include/Palaver/roomlistmodel.h
    include/Palaver/roomsummary.h
    src/models/membermodel.cpp
    src/models/messagemodel.cpp
    src/models/messagerow_p.h
    src/models/streamedrows_p.h
    src/models/messagerow.cpp
    src/models/roomlistmodel.cpp
    src/models/sortedrows_p.h
)
list(TRANSFORM PALAVER_SDK_MODEL_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
