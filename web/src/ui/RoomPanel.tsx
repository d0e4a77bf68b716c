// The room's details: its name and topic, its members with roles and presence (add, remove, change
// role, hand ownership over where the reader's role allows), the reader's mute, the announcement, the
// pinned messages, and clearing the history, leaving or deleting the room.
import { useSelector } from '@xstate/react';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { RoomListItem, RoomRole } from '../api/types';
import type { Chat } from '../app/chat';
import { useChat } from '../app/context';
import { grantableBy, mayActOn, mayAdminister, mayClearForEveryone, mayOwn } from '../app/roles';
import { ConfirmDialog } from './Dialog';
import { PresenceDot } from './PresenceDot';
import { UserSearch } from './UserSearch';

type Confirming = { kind: 'clear' } | { kind: 'leave' } | { kind: 'delete' } | { kind: 'transfer'; userId: string; name: string };

export function RoomPanel({ roomId, onClose }: { roomId: string; onClose: () => void }) {
  const chat = useChat();
  const navigate = useNavigate();
  const listed = chat.room(roomId);
  const details = chat.roomDetails(roomId);
  const actor = chat.roomActors.get(roomId);
  const messages = useSelector(actor ?? chat.composer, (snapshot) => ('messages' in snapshot.context ? snapshot.context.messages : []));
  const hasOlder = useSelector(actor ?? chat.composer, (snapshot) => ('hasOlder' in snapshot.context ? snapshot.context.hasOlder : true));
  const [announcement, setAnnouncement] = useState<string>();
  const [confirming, setConfirming] = useState<Confirming>();
  const closeButton = useRef<HTMLButtonElement>(null);

  // Keyboard users land in the panel, and Escape takes them back out.
  useEffect(() => {
    closeButton.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !document.querySelector('dialog[open]')) onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  if (!listed) return null;
  const myRole = listed.role;
  const isGroup = listed.kind === 'group';
  const admin = mayAdminister(myRole);
  const owner = mayOwn(myRole);
  const othersInRoom = (details?.members.length ?? 1) > 1;
  const refresh = () => chat.loadDetails(roomId);
  const toRoomList = () => navigate('/rooms');
  // A pinned message neither held nor older than what is held was cleared from the reader's history.
  const pinned = (details?.pinned ?? []).filter((messageId) => hasOlder || messages.some((message) => message.id === messageId));

  return (
    <aside className="room-panel" id="room-panel" aria-label="Room details">
      <header className="panel-header">
        <h2>{isGroup ? 'Group details' : 'Chat details'}</h2>
        <button type="button" className="icon-button" ref={closeButton} onClick={onClose} aria-label="Close the room details">
          ×
        </button>
      </header>

      {isGroup && admin && <GroupProfileForm key={JSON.stringify([listed.name, listed.topic])} chat={chat} room={listed} />}

      <section aria-labelledby="panel-settings">
        <h3 id="panel-settings">Notifications</h3>
        <label className="choice">
          <input type="checkbox" checked={listed.muted} onChange={(event) => void chat.setMuted(roomId, event.target.checked)} />
          Mute this room
        </label>
      </section>

      {isGroup && (
        <section aria-labelledby="panel-announcement">
          <h3 id="panel-announcement">Announcement</h3>
          {admin ? (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                void chat.act(chat.api.updateRoom(roomId, { announcement: announcement ?? details?.announcement ?? '' })).then(refresh);
              }}
            >
              <label htmlFor="announcement" className="visually-hidden">
                Announcement
              </label>
              <textarea id="announcement" rows={2} maxLength={2000} value={announcement ?? details?.announcement ?? ''} onChange={(event) => setAnnouncement(event.target.value)} />
              <button type="submit" className="secondary">
                Save announcement
              </button>
            </form>
          ) : (
            <p>{details?.announcement || 'None'}</p>
          )}
        </section>
      )}

      <section aria-labelledby="panel-members">
        <h3 id="panel-members">Members{details ? ` (${details.members.length})` : ''}</h3>
        {isGroup && admin && (
          <UserSearch
            label="Add a member"
            placeholder="Add someone"
            exclude={details?.members.map((member) => member.userId) ?? []}
            onPick={(user) => void chat.act(chat.api.addMember(roomId, user.id)).then(refresh)}
            pickLabel={(user) => `Add ${user.displayName} to the room`}
          />
        )}
        <ul className="members">
          {details?.members.map((member) => {
            const user = chat.user(member.userId);
            const me = member.userId === chat.me.id;
            const canActOn = isGroup && !me && mayActOn(myRole, member.role);
            const grantable = grantableBy(myRole);
            return (
              <li key={member.userId} className="member">
                <div className="member-line">
                  <PresenceDot person={me ? { ...chat.me, online: true } : user} />
                  <span className="member-name">{me ? `${chat.me.displayName} (you)` : (user?.displayName ?? '…')}</span>
                  {!(canActOn && admin) && isGroup && <span className="role">{member.role}</span>}
                </div>
                {((canActOn && admin) || (isGroup && owner && !me) || (!isGroup && !me)) && (
                  <div className="member-actions">
                    {canActOn && admin && (
                      <>
                        <label className="visually-hidden" htmlFor={`role-${member.userId}`}>
                          Role of {user?.displayName}
                        </label>
                        <select id={`role-${member.userId}`} value={member.role} onChange={(event) => void chat.act(chat.api.changeRole(roomId, member.userId, event.target.value as RoomRole)).then(refresh)}>
                          {[member.role, ...grantable.filter((role) => role !== member.role)].map((role) => (
                            <option key={role} value={role}>
                              {role}
                            </option>
                          ))}
                        </select>
                        <button type="button" className="link-button" aria-label={`Remove ${user?.displayName ?? 'member'}`} onClick={() => void chat.act(chat.api.removeMember(roomId, member.userId)).then(refresh)}>
                          Remove
                        </button>
                      </>
                    )}
                    {isGroup && owner && !me && (
                      <button
                        type="button"
                        className="link-button"
                        aria-label={`Make ${user?.displayName ?? 'this member'} the owner`}
                        onClick={() => setConfirming({ kind: 'transfer', userId: member.userId, name: user?.displayName ?? 'this member' })}
                      >
                        Make owner
                      </button>
                    )}
                    {!isGroup && !me && (
                      <button type="button" className="link-button" onClick={() => void chat.act(chat.api.block(member.userId))}>
                        Block
                      </button>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="panel-pins">
        <h3 id="panel-pins">Pinned messages</h3>
        {pinned.length === 0 ? (
          <p>Nothing pinned.</p>
        ) : (
          <ul className="pins">
            {pinned.map((messageId) => {
              const message = messages.find((candidate) => candidate.id === messageId);
              return (
                <li key={messageId}>
                  {message ? (
                    <>
                      <span className="author">{chat.userName(message.authorId)}:</span> {message.deleted ? 'Message deleted' : message.text}
                    </>
                  ) : (
                    'An older message'
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section aria-labelledby="panel-history">
        <h3 id="panel-history">History</h3>
        <div className="panel-actions">
          <button type="button" className="secondary danger" onClick={() => setConfirming({ kind: 'clear' })}>
            Clear history…
          </button>
          {isGroup && owner && (
            <button type="button" className="secondary danger" onClick={() => setConfirming({ kind: 'delete' })}>
              Delete the group…
            </button>
          )}
          {isGroup && (!owner || !othersInRoom) && (
            <button type="button" className="secondary danger" onClick={() => setConfirming({ kind: 'leave' })}>
              Leave the group…
            </button>
          )}
        </div>
        {isGroup && owner && othersInRoom && <p className="panel-note">To leave, first make another member the owner.</p>}
      </section>

      {confirming?.kind === 'clear' && <ClearHistoryDialog chat={chat} roomId={roomId} role={myRole} onClose={() => setConfirming(undefined)} />}
      {confirming?.kind === 'transfer' && (
        <ConfirmDialog
          title={`Make ${confirming.name} the owner?`}
          confirmLabel="Make owner"
          onConfirm={() => chat.transferOwnership(roomId, confirming.userId)}
          onClose={() => setConfirming(undefined)}
        >
          <p>They will own the group; you stay in it as an admin. Only they can give ownership back.</p>
        </ConfirmDialog>
      )}
      {(confirming?.kind === 'leave' || confirming?.kind === 'delete') && (
        <ConfirmDialog
          title={confirming.kind === 'leave' ? `Leave ${listed.name}?` : `Delete ${listed.name}?`}
          confirmLabel={confirming.kind === 'leave' ? 'Leave' : 'Delete the group'}
          onConfirm={async () => {
            // The owner alone in the group deletes it by leaving (the server decides so).
            const done = await chat.leaveRoom(roomId, confirming.kind);
            if (done) toRoomList();
            return done;
          }}
          onClose={() => setConfirming(undefined)}
        >
          <p>
            {confirming.kind === 'leave'
              ? othersInRoom
                ? 'You will no longer see its messages; a member can add you again.'
                : 'You are its last member: leaving deletes the group.'
              : 'The group and its messages go for every member. This cannot be undone.'}
          </p>
        </ConfirmDialog>
      )}
    </aside>
  );
}

/** The group's name and topic, for those who may change them. */
function GroupProfileForm({ chat, room }: { chat: Chat; room: RoomListItem }) {
  const [name, setName] = useState(room.name);
  const [topic, setTopic] = useState(room.topic);
  const [problem, setProblem] = useState<string>();
  const unchanged = name.trim() === room.name && topic.trim() === room.topic;
  return (
    <section aria-labelledby="panel-profile">
      <h3 id="panel-profile">Name and topic</h3>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!name.trim()) {
            setProblem('Give the group a name');
            return;
          }
          setProblem(undefined);
          const changes = { ...(name.trim() !== room.name ? { name: name.trim() } : {}), ...(topic.trim() !== room.topic ? { topic: topic.trim() } : {}) };
          void chat.updateRoom(room.id, changes);
        }}
      >
        <div className="field">
          <label htmlFor="room-name">Group name</label>
          <input id="room-name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} aria-invalid={problem ? true : undefined} />
          {problem && (
            <p className="field-error" role="alert">
              {problem}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="room-topic">Topic</label>
          <input id="room-topic" value={topic} maxLength={300} onChange={(event) => setTopic(event.target.value)} />
        </div>
        <button type="submit" className="secondary" disabled={unchanged}>
          Save name and topic
        </button>
      </form>
    </section>
  );
}

/** Clears the history for the reader, or, where the role allows, for every member. */
function ClearHistoryDialog({ chat, roomId, role, onClose }: { chat: Chat; roomId: string; role: RoomRole; onClose: () => void }) {
  const [scope, setScope] = useState<'me' | 'everyone'>('me');
  const forEveryone = mayClearForEveryone(role, chat.room(roomId)?.kind ?? 'direct');
  return (
    <ConfirmDialog title="Clear the history?" confirmLabel="Clear history" onConfirm={() => chat.clearHistory(roomId, scope)} onClose={onClose}>
      {forEveryone ? (
        <fieldset className="room-choices">
          <legend className="visually-hidden">Clear it for</legend>
          <label className="choice">
            <input type="radio" name="clear-scope" checked={scope === 'me'} onChange={() => setScope('me')} />
            Only for me
          </label>
          <label className="choice">
            <input type="radio" name="clear-scope" checked={scope === 'everyone'} onChange={() => setScope('everyone')} />
            For everyone in the room
          </label>
        </fieldset>
      ) : null}
      <p>{scope === 'me' ? 'The messages so far disappear for you; the others keep theirs.' : 'The messages so far disappear for every member.'}</p>
    </ConfirmDialog>
  );
}
