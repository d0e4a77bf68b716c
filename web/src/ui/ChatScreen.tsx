// The signed-in page: the room list beside the open room (on a phone, one or the other).
import { useParams } from 'react-router-dom';
import { useChat } from '../app/context';
import { RoomView } from './RoomView';
import { Sidebar } from './Sidebar';

export function ChatScreen() {
  const { roomId } = useParams();
  const chat = useChat();
  return (
    <div className={`chat-layout${roomId ? ' has-room' : ''}`}>
      <Sidebar openRoomId={roomId} />
      {roomId ? (
        <RoomView key={roomId} roomId={roomId} />
      ) : (
        <main className="room-empty">
          <p>Choose a room, or find someone to chat with.</p>
        </main>
      )}
      {chat.notice && (
        <div className="notice" role="alert">
          <span>{chat.notice}</span>
          <button type="button" onClick={() => chat.dismissNotice()} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
    </div>
  );
}
