// SPDX-License-Identifier: MIT
// A program written against the installed SDK only: shared by the CMake and pkg-config consumers.
#include <Palaver/client.h>
#include <Palaver/message.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QCoreApplication>
#include <QMetaEnum>
#include <QTextStream>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);

    Palaver::Message message;
    message.roomId = QStringLiteral("lobby");
    message.content = QStringLiteral("hello from an installed Palaver");
    message.status = Palaver::Message::Status::Pending;

    // Reflection goes through the library's exported meta-object (moc output inside the .so).
    const QMetaEnum status = QMetaEnum::fromType<Palaver::Message::Status>();
    const char *statusName = status.valueToKey(static_cast<int>(message.status));
    if (!statusName || qstrcmp(statusName, "Pending") != 0) {
        out << "palaver-consumer: Message::Status is not reflected\n";
        return 1;
    }
    if (QMetaType::fromType<Palaver::Message>().id() == 0) {
        out << "palaver-consumer: Palaver::Message is not a registered meta-type\n";
        return 1;
    }

    // The connection core and the rooms layer, without a server: the consumer must not need the
    // network. A Client starts Disconnected, normalises URLs, and hands out Rooms on demand.
    Palaver::Client client;
    if (client.state() != Palaver::Client::State::Disconnected) {
        out << "palaver-consumer: a new Client is not Disconnected\n";
        return 1;
    }
    const QUrl endpoint
        = Palaver::Client::endpointUrl(QUrl(QStringLiteral("https://chat.example")));
    if (endpoint.scheme() != QStringLiteral("wss")
        || endpoint.path() != QStringLiteral("/socket.io/")) {
        out << "palaver-consumer: unexpected endpoint " << endpoint.toString() << "\n";
        return 1;
    }
    Palaver::Room *room = client.room(QStringLiteral("general"));
    if (!room || room->joinState() != Palaver::Room::JoinState::NotJoined || !room->messages()
        || room->messages()->rowCount() != 0 || client.room(QStringLiteral("Not A Room!"))) {
        out << "palaver-consumer: Client::room() misbehaves\n";
        return 1;
    }

    out << "palaver-consumer: ok (" << message.roomId << ", " << statusName << ")\n";
    return 0;
}
