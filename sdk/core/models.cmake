# Sources of the item models (MessageModel, MemberModel, RoomListModel).
# Public headers are listed too, so that AUTOMOC sees them.
set(PALAVER_SDK_MODEL_SOURCES
    include/Palaver/messagemodel.h
    src/models/messagemodel.cpp
)
list(TRANSFORM PALAVER_SDK_MODEL_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
