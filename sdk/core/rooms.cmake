# Sources of the rooms layer: the room directory and each kept room's stream (join, re-join,
# catch-up, dedup, seq order), and Room, a view of it.
# Public headers are listed too, so that AUTOMOC sees them.
set(PALAVER_SDK_ROOM_SOURCES
    include/Palaver/room.h
    src/room_p.h
    src/room.cpp
    src/roomdirectory_p.h
    src/roomdirectory.cpp
    src/roomstream_p.h
    src/roomstream.cpp
)
list(TRANSFORM PALAVER_SDK_ROOM_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)

# The QML module (sdk/qml) registers Room, Client and the models with QML_FOREIGN;
# qmltyperegistrar finds them in this JSON of PalaverSdk's moc output. It must be made here: a
# custom command only attaches to a target of its own directory. No QtQml is involved.
qt_extract_metatypes(PalaverSdk)
