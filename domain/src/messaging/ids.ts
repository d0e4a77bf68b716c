// Ids that several processes must derive alike, with no coordination: name-based UUIDs (RFC 9562
// version 5, SHA-1) under namespaces of our own, and the names of a room's two streams.
import { sha1, utf8Into } from './sha1';

/** Namespace of direct room ids. Changing it would orphan every direct room. */
export const directRoomNamespace = '711ab225-5186-497d-9bdb-a532af51773a';
/** Namespace of message ids. Changing it would break idempotency for messages sent before. */
export const messageNamespace = '011a9c81-a894-40cd-b688-d1f34b2e5ec9';

/**
 * The one direct room of two people, whoever opens it first: a UUID v5 of the sorted pair, so two
 * people opening it at the same time both land on the same `room-<id>` stream and the expected
 * revision lets only one of them create it.
 */
export function directRoomId(userA: string, userB: string): string {
  const pair = userA < userB ? [userA, userB] : [userB, userA];
  return uuidV5(directRoomNamespace, JSON.stringify(pair));
}

/**
 * The id of the message `authorId` sends with `clientMessageId`, which is also the id of the
 * `MessageSent` event that records it: a retried send, in this process or another, derives the same
 * id, so the decider finds the message already there and the event store recognises the event.
 */
export function messageEventId(authorId: string, clientMessageId: string): string {
  return uuidV5(messageNamespace, JSON.stringify([authorId, clientMessageId]));
}

/** A room's membership, roles and settings: created, renamed, members, roles, pins, mutes, read markers, clears. */
export function roomStreamId(roomId: string): string {
  return `room-${roomId}`;
}

/** A room's message log: every message sent (each taking the next `seq`), edited, deleted or reacted to. */
export function roomMessagesStreamId(roomId: string): string {
  return `messages-${roomId}`;
}

export function uuidV5(namespace: string, name: string): string {
  const input = new Uint8Array(16 + name.length * 3);
  input.set(namespaceBytes(namespace));
  const bytes = sha1(utf8Into(input, 16, name));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) hex += '-';
    hex += HEX_BYTES[bytes[i]!];
  }
  return hex;
}

/** The 16 bytes of the namespaces used so far: a process uses two. */
const namespaces = new Map<string, Uint8Array>();

function namespaceBytes(namespace: string): Uint8Array {
  let bytes = namespaces.get(namespace);
  if (bytes) return bytes;
  const hex = namespace.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${namespace}`);
  bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  if (namespaces.size < 16) namespaces.set(namespace, bytes);
  return bytes;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
