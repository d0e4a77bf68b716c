// The shapes of the public contract (shared/API.md) as the client reads them.

export type RoomRole = 'owner' | 'admin' | 'moderator' | 'member';
export type RoomKind = 'group' | 'direct';

export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds the access token lives, from when it was issued. */
  readonly expiresIn: number;
}

export interface PublicProfile {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly avatarUrl: string | null;
  readonly online: boolean;
  readonly lastSeenAt: string | null;
}

export interface Profile extends PublicProfile {
  readonly bio: string;
  readonly statusText: string;
}

export interface AuthAnswer extends Tokens {
  readonly user: Profile;
}

export interface SessionItem {
  readonly id: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly current: boolean;
}

export interface LastMessage {
  readonly id: string;
  readonly seq: number;
  readonly authorId: string;
  readonly text: string;
  readonly createdAt: string;
  readonly edited: boolean;
  readonly deleted: boolean;
}

export interface RoomListItem {
  readonly id: string;
  readonly kind: RoomKind;
  readonly name: string;
  readonly topic: string;
  readonly peerId?: string;
  readonly lastMessage: LastMessage | null;
  readonly lastSeq: number;
  readonly unreadCount: number;
  readonly lastReadSeq: number;
  readonly muted: boolean;
  readonly role: RoomRole;
  readonly lastActivityAt?: string;
}

export interface RoomMember {
  readonly userId: string;
  readonly role: RoomRole;
  readonly joinedAt: string;
}

export interface RoomDetails {
  readonly id: string;
  readonly kind: RoomKind;
  readonly name: string;
  readonly topic: string;
  readonly announcement: string;
  readonly createdAt: string;
  readonly members: readonly RoomMember[];
  readonly pinned: readonly string[];
}

export interface ForwardOrigin {
  readonly roomId: string;
  readonly messageId: string;
  readonly authorId: string;
}

export interface Message {
  readonly id: string;
  readonly roomId: string;
  readonly seq: number;
  readonly authorId: string;
  readonly text: string;
  readonly createdAt: string;
  readonly editedAt?: string;
  readonly deleted: boolean;
  readonly replyTo?: string;
  readonly forwardedFrom?: ForwardOrigin;
  readonly reactions: Readonly<Record<string, readonly string[]>>;
  readonly attachments: readonly unknown[];
}

export interface ClientConfig {
  readonly wsUrl: string;
  readonly limits: { readonly maxMessageLength: number; readonly maxUploadBytes: number; readonly allowedUploadTypes: readonly string[] };
}

/** A frame the realtime service pushes. */
export interface ServerFrame {
  readonly type: string;
  readonly roomId?: string;
  readonly seq?: number;
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface FieldViolation {
  readonly field: string;
  readonly rule: string;
  readonly limit?: number;
}
