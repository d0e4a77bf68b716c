// The left column: who is signed in and how the connection is, people search (a direct chat in one
// click), a new group, and the room list with unread badges, previews and presence.
import { useSelector } from '@xstate/react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { PublicProfile, RoomListItem } from '../api/types';
import { useChat } from '../app/context';
import { initialsOf, timeOf, typingLine } from '../app/format';
import { FormDialog } from './Dialog';
import { PresenceDot } from './PresenceDot';
import { UserSearch } from './UserSearch';

export function Sidebar({ openRoomId }: { openRoomId?: string }) {
  const chat = useChat();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);

  const startDirect = async (user: PublicProfile) => {
    const answer = await chat.act(chat.api.openDirect(user.id));
    if (!answer) return;
    await chat.loadRooms().catch(() => undefined);
    navigate(`/rooms/${answer.room.id}`);
  };

  return (
    <nav className="sidebar" aria-label="Rooms">
      <header className="sidebar-header">
        <Link to="/settings" className="me" aria-label={`Profile settings for ${chat.me.displayName}`}>
          <span className="avatar" aria-hidden="true">
            {initialsOf(chat.me.displayName)}
          </span>
          <span className="me-name">{chat.me.displayName}</span>
        </Link>
        <ConnectionStatus />
      </header>
      <div className="sidebar-tools">
        <UserSearch label="Find people" placeholder="Find people" onPick={(user) => void startDirect(user)} pickLabel={(user) => `Chat with ${user.displayName}`} />
        <button type="button" className="secondary" onClick={() => setCreating(true)}>
          New group
        </button>
      </div>
      <RoomList openRoomId={openRoomId} />
      {creating && <CreateGroupDialog onClose={() => setCreating(false)} />}
    </nav>
  );
}

function ConnectionStatus() {
  const chat = useChat();
  const state = useSelector(chat.connection, (snapshot) => {
    if (snapshot.matches('offline')) return 'offline';
    if (snapshot.matches('backingOff')) return 'reconnecting';
    if (snapshot.matches({ open: 'live' })) return 'live';
    if (snapshot.matches({ open: 'resuming' })) return 'catching-up';
    return 'connecting';
  });
  const attempt = useSelector(chat.connection, (snapshot) => snapshot.context.attempt);
  const text = { live: 'Connected', offline: 'Offline', reconnecting: 'Reconnecting…', connecting: 'Connecting…', 'catching-up': 'Catching up…' }[state];
  return (
    <span
      className={`connection connection-${state}`}
      role="status"
      aria-live="polite"
      data-connection={state}
      title={state === 'reconnecting' ? `Connection lost: trying again (attempt ${attempt + 1})` : undefined}
    >
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function RoomList({ openRoomId }: { openRoomId?: string }) {
  const chat = useChat();
  if (!chat.roomsLoaded) {
    return (
      <p className="sidebar-note" role="status">
        {chat.roomsError ?? 'Loading rooms…'}
      </p>
    );
  }
  if (chat.rooms.length === 0) return <p className="sidebar-note">No rooms yet: find someone to chat with, or start a group.</p>;
  return (
    <ul className="room-list">
      {chat.rooms.map((room) => (
        <RoomRow key={room.id} room={room} open={room.id === openRoomId} />
      ))}
    </ul>
  );
}

function RoomRow({ room, open }: { room: RoomListItem; open: boolean }) {
  const chat = useChat();
  const peer = room.peerId ? chat.user(room.peerId) : undefined;
  const name = room.kind === 'direct' ? (peer?.displayName ?? room.name) : room.name;
  const last = room.lastMessage;
  const typists = chat.typists(room.id).map((userId) => chat.userName(userId));
  const preview =
    typists.length > 0
      ? typingLine(typists)
      : !last
        ? room.topic || 'No messages yet'
        : last.deleted
          ? 'Message deleted'
          : `${last.authorId === chat.me.id ? 'You: ' : ''}${last.text}`;
  const unread = room.unreadCount > 0 && !open;
  return (
    <li className={`room-row${open ? ' open' : ''}${room.muted ? ' muted' : ''}${unread ? ' unread' : ''}`} data-room-name={name}>
      <Link to={`/rooms/${room.id}`} aria-current={open ? 'page' : undefined} className="room-link">
        <span className="avatar">
          <span aria-hidden="true">{room.kind === 'group' ? '#' : initialsOf(name)}</span>
          {room.kind === 'direct' && <PresenceDot person={peer} className="presence" />}
        </span>
        <span className="room-text">
          <span className="room-name">
            {name}
            {room.muted && <span className="muted-mark" aria-label="muted" title="Muted"> 🔕</span>}
          </span>
          <span className={`room-preview${typists.length > 0 ? ' typing-preview' : ''}`}>{preview}</span>
        </span>
        <span className="room-meta">
          {last && <time dateTime={last.createdAt}>{timeOf(last.createdAt)}</time>}
          {unread && (
            <span className="badge" aria-label={`${room.unreadCount} unread`}>
              {room.unreadCount > 99 ? '99+' : room.unreadCount}
            </span>
          )}
        </span>
      </Link>
    </li>
  );
}

function CreateGroupDialog({ onClose }: { onClose: () => void }) {
  const chat = useChat();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [members, setMembers] = useState<PublicProfile[]>([]);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  const create = async () => {
    if (!name.trim()) {
      setProblem('Give the group a name');
      return;
    }
    setBusy(true);
    try {
      const { room } = await chat.api.createGroup({ name: name.trim(), ...(topic.trim() ? { topic: topic.trim() } : {}), memberIds: members.map((member) => member.id) });
      await chat.loadRooms().catch(() => undefined);
      onClose();
      navigate(`/rooms/${room.id}`);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'The group was not created');
      setBusy(false);
    }
  };

  return (
    <FormDialog title="New group" submitLabel="Create group" busy={busy} problem={problem} onSubmit={() => void create()} onClose={onClose}>
      <div className="field">
        <label htmlFor="group-name">Name</label>
        <input id="group-name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} aria-invalid={problem ? true : undefined} autoFocus />
      </div>
      <div className="field">
        <label htmlFor="group-topic">Topic (optional)</label>
        <input id="group-topic" value={topic} maxLength={300} onChange={(event) => setTopic(event.target.value)} />
      </div>
      <UserSearch
        label="Add members"
        placeholder="Find people to add"
        onPick={(user) => setMembers((current) => (current.some((member) => member.id === user.id) ? current : [...current, user]))}
        pickLabel={(user) => `Add ${user.displayName}`}
      />
      {members.length > 0 && (
        <ul className="chips" aria-label="Members to add">
          {members.map((member) => (
            <li key={member.id}>
              {member.displayName}
              <button type="button" aria-label={`Remove ${member.displayName}`} onClick={() => setMembers((current) => current.filter((m) => m.id !== member.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </FormDialog>
  );
}
