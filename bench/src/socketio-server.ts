// The baseline of the realtime bench, in a process of its own: a minimal Socket.IO broadcast server with
// nothing behind it (no authentication, no persistence, no projection). A message comes in the way ours
// do, `POST /api/rooms/:id/messages` `{ clientMessageId, text }`, is broadcast to the room's sockets as
// `message.created` with the fields our frame carries, and is answered 201. A socket joins the rooms
// named in its `rooms` query parameter. It tells its parent its port once it listens.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const MESSAGES_PATH = /^\/api\/rooms\/([^/]+)\/messages$/;

export function startSocketIoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const lastSeq = new Map<string, number>();
  const httpServer = http.createServer((request, response) => {
    const roomId = MESSAGES_PATH.exec(request.url ?? '')?.[1];
    if (request.method !== 'POST' || roomId === undefined) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: { text?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString()) as { text?: unknown };
      } catch {
        response.writeHead(400).end();
        return;
      }
      if (typeof body.text !== 'string') {
        response.writeHead(400).end();
        return;
      }
      const seq = (lastSeq.get(roomId) ?? 0) + 1;
      lastSeq.set(roomId, seq);
      const message = { id: randomUUID(), roomId, seq, authorId: 'anonymous', text: body.text, createdAt: new Date().toISOString(), deleted: false, reactions: {}, attachments: [] };
      sockets.to(roomId).emit('message.created', message);
      response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ message: { id: message.id, seq } }));
    });
  });
  const sockets = new Server(httpServer, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  sockets.on('connection', (socket) => {
    const rooms = String(socket.handshake.query.rooms ?? '').split(',').filter((room) => room.length > 0);
    void socket.join(rooms);
  });
  return new Promise((resolve) => {
    httpServer.listen(0, '127.0.0.1', () => {
      resolve({
        port: (httpServer.address() as AddressInfo).port,
        close: () => new Promise((closed) => void sockets.close(() => closed())),
      });
    });
  });
}

if (require.main === module) {
  void startSocketIoServer().then(({ port }) => process.send?.({ port }));
}
