// SPDX-License-Identifier: MIT
#include "framewriter.h"

#include <QCryptographicHash>
#include <QTcpSocket>
#include <QtEndian>

#include <memory>

namespace {

const QByteArray openPacket = QByteArrayLiteral(
    "0{\"sid\":\"frames\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
    "\"maxPayload\":1000000}");

// What a socket has sent that is not parsed yet, and whether its HTTP upgrade is done.
const char *bufferProperty = "palaverBuffer";
const char *upgradedProperty = "palaverUpgraded";

} // namespace

FrameWriter::FrameWriter(QObject *parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FrameWriter::onNewConnection);
}

bool FrameWriter::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl FrameWriter::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort()));
}

QByteArray FrameWriter::frameHeader(int opcode, qint64 length, bool fin)
{
    QByteArray header;
    header.append(char((fin ? 0x80 : 0x00) | (opcode & 0x0f)));
    if (length < 126) {
        header.append(char(length));
    } else if (length <= 0xffff) {
        header.append(char(126));
        header.append(char(length >> 8)).append(char(length & 0xff));
    } else {
        header.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            header.append(char((length >> shift) & 0xff));
    }
    return header;
}

void FrameWriter::sendFrame(QTcpSocket *socket, int opcode, const QByteArray &payload, bool fin)
{
    socket->write(frameHeader(opcode, payload.size(), fin) + payload);
}

void FrameWriter::stream(QTcpSocket *socket, Producer producer)
{
    // Keep about one chunk queued: enough to keep the loopback busy, never the whole attack.
    constexpr qint64 chunk = 256 * 1024;
    auto make = std::make_shared<Producer>(std::move(producer));
    auto pump = [this, socket, make] {
        while (*make && socket->state() == QAbstractSocket::ConnectedState
            && socket->bytesToWrite() < chunk) {
            const QByteArray next = (*make)(chunk);
            if (next.isEmpty()) {
                *make = {};
                return;
            }
            streamed += next.size();
            socket->write(next);
        }
    };
    connect(socket, &QTcpSocket::bytesWritten, this, pump);
    pump();
}

void FrameWriter::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void FrameWriter::onReadyRead(QTcpSocket *socket)
{
    QByteArray buffer = socket->property(bufferProperty).toByteArray() + socket->readAll();
    if (!socket->property(upgradedProperty).toBool()) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            socket->setProperty(bufferProperty, buffer);
            return;
        }
        QByteArray key;
        for (const QByteArray &line : buffer.left(end).split('\n')) {
            if (line.toLower().startsWith("sec-websocket-key:"))
                key = line.mid(line.indexOf(':') + 1).trimmed();
        }
        const QByteArray accept = QCryptographicHash::hash(
            QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"), QCryptographicHash::Sha1)
                                      .toBase64();
        socket->write(QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Accept: "
            + accept + "\r\n\r\n"));
        sendFrame(socket, 0x1, openPacket);
        socket->setProperty(upgradedProperty, true);
        ++connections;
        buffer.remove(0, end + 4);
    }
    // Client frames: always masked, small here (CONNECT, pongs, a close), never fragmented.
    while (buffer.size() >= 2) {
        const int opcode = buffer.at(0) & 0x0f;
        qint64 length = buffer.at(1) & 0x7f;
        qsizetype at = 2;
        if (length == 126) {
            if (buffer.size() < 4)
                break;
            length = qFromBigEndian<quint16>(buffer.constData() + 2);
            at = 4;
        } else if (length == 127) {
            if (buffer.size() < 10)
                break;
            length = qint64(qFromBigEndian<quint64>(buffer.constData() + 2));
            at = 10;
        }
        if (buffer.size() < at + 4 + length)
            break;
        const QByteArray mask = buffer.mid(at, 4);
        QByteArray payload = buffer.mid(at + 4, length);
        for (qsizetype i = 0; i < payload.size(); ++i)
            payload[i] = char(payload.at(i) ^ mask.at(i % 4));
        buffer.remove(0, at + 4 + length);
        onClientFrame(socket, opcode, payload);
        if (socket->state() != QAbstractSocket::ConnectedState)
            return;
    }
    socket->setProperty(bufferProperty, buffer);
}

void FrameWriter::onClientFrame(QTcpSocket *socket, int opcode, const QByteArray &payload)
{
    if (opcode == 0x8) { // close: answer it and hang up
        sendFrame(socket, 0x8, payload.left(2));
        socket->disconnectFromHost();
        return;
    }
    if (opcode == 0x1 && payload.startsWith("40")) {
        sendFrame(socket, 0x1, QByteArrayLiteral("40{\"sid\":\"frames-ns\"}"));
        if (onConnected)
            onConnected(socket, connections);
    }
}
