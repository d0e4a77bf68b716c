// One open room: its header, the announcement, the messages, who is typing, and the input; the room
// panel (members, pins, settings) beside it on demand.
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { useChat } from '../app/context';
import { presenceLine, typingLine } from '../app/format';
import { Composer } from './Composer';
import { MessageList } from './MessageList';
import { RoomPanel } from './RoomPanel';

export function RoomView({ roomId }: { roomId: string }) {
  const chat = useChat();
  const listed = chat.room(roomId);
  const [panelOpen, setPanelOpen] = useState(false);
  const known = listed !== undefined;
  useEffect(() => {
    if (!known) return;
    chat.openRoom(roomId);
    return () => chat.closeRoom(roomId);
  }, [chat, roomId, known]);
  const actor = chat.roomActors.get(roomId);
  const details = chat.roomDetails(roomId);
  const closePanel = useCallback(() => setPanelOpen(false), []);

  if (!listed || !actor) {
    return (
      <main className="room-empty">
        <p role="status">{chat.roomsLoaded && !listed ? 'This room is not in your list.' : 'Loading…'}</p>
        <Link to="/rooms">Back to the rooms</Link>
      </main>
    );
  }
  const peer = listed.peerId ? chat.user(listed.peerId) : undefined;
  const name = listed.kind === 'direct' ? (peer?.displayName ?? listed.name) : listed.name;
  const subtitle = listed.kind === 'direct' ? (peer ? presenceLine(peer) : '') : listed.topic;
  const typists = chat.typists(roomId).map((userId) => chat.userName(userId));

  return (
    <div className="room-area">
      <main className="room" aria-labelledby="room-title">
        <header className="room-header">
          <Link to="/rooms" className="back" aria-label="Back to the rooms">
            ‹
          </Link>
          <div className="room-title">
            <h1 id="room-title">{name}</h1>
            {subtitle && <p className="room-subtitle">{subtitle}</p>}
          </div>
          <button type="button" className="icon-button" aria-expanded={panelOpen} aria-controls="room-panel" onClick={() => setPanelOpen((open) => !open)}>
            <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
              <circle cx="12" cy="12" r="10" />
              <line x1="12" y1="11" x2="12" y2="17" />
              <circle cx="12" cy="7.5" r="0.6" fill="currentColor" />
            </svg>
            <span className="visually-hidden">Room details</span>
          </button>
        </header>
        {details?.announcement && (
          <div className="announcement" role="note" aria-label="Announcement">
            📣 {details.announcement}
          </div>
        )}
        <MessageList roomId={roomId} actor={actor} role={listed.role} />
        <div className="typing" aria-live="polite">
          {typingLine(typists)}
        </div>
        <Composer roomId={roomId} />
      </main>
      {panelOpen && <RoomPanel roomId={roomId} onClose={closePanel} />}
    </div>
  );
}
