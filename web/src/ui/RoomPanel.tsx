// The room's details: its members with roles and presence (add, remove, change role where the
// reader's role allows), the reader's mute, the announcement, and the pinned messages.
import { useSelector } from '@xstate/react';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { RoomRole } from '../api/types';
import { useChat } from '../app/context';
import { grantableBy, mayActOn, mayAdminister } from '../app/roles';

import { PresenceDot } from './PresenceDot';
import { UserSearch } from './UserSearch';


export function RoomPanel({ roomId, onClose }: { roomId: string; onClose: () => void }) {
  const chat = useChat();
  const navigate = useNavigate();
  const listed = chat.room(roomId);
  const details = chat.roomDetails(roomId);
  const actor = chat.roomActors.get(roomId);
  const messages = useSelector(actor ?? chat.composer, (snapshot) => ('messages' in snapshot.context ? snapshot.context.messages : []));
  const [announcement, setAnnouncement] = useState<string>();
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
  const refresh = () => chat.loadDetails(roomId);

  return (
    <aside className="room-panel" id="room-panel" aria-label="Room details">
      <header className="panel-header">
        <h2>{isGroup ? 'Group details' : 'Chat details'}</h2>
        <button type="button" className="icon-button" ref={closeButton} onClick={onClose} aria-label="Close the room details">
          ×
        </button>
      </header>

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
                <PresenceDot person={me ? { ...chat.me, online: true } : user} />
                <span className="member-name">{me ? `${chat.me.displayName} (you)` : (user?.displayName ?? '…')}</span>
                {canActOn && admin ? (
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
                ) : (
                  <span className="role">{isGroup ? member.role : ''}</span>
                )}
                {!isGroup && !me && (
                  <button type="button" className="link-button" onClick={() => void chat.act(chat.api.block(member.userId))}>
                    Block
                  </button>
                )}
              </li>
            );
          })}
        </ul>
        {isGroup && (
          <button
            type="button"
            className="secondary danger"
            onClick={() => {
              if (!window.confirm('Leave this group?')) return;
              void chat.act(chat.api.removeMember(roomId, chat.me.id)).then(() => {
                void chat.loadRooms().catch(() => undefined);
                navigate('/rooms');
              });
            }}
          >
            Leave the group
          </button>
        )}
      </section>

      <section aria-labelledby="panel-pins">
        <h3 id="panel-pins">Pinned messages</h3>
        {!details || details.pinned.length === 0 ? (
          <p>Nothing pinned.</p>
        ) : (
          <ul className="pins">
            {details.pinned.map((messageId) => {
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
    </aside>
  );
}
