// The messages of the open room, virtualized: only the rows in view (and a few around) are in the
// page. Scrolling up near the top loads older history and keeps the reader's place; new messages
// follow the bottom only when the reader is there, so nothing jumps under their eyes. Messages are
// marked read as they come into view.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useSelector } from '@xstate/react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Message, RoomRole } from '../api/types';
import type { RoomActor } from '../app/chat';
import { useChat } from '../app/context';
import { dayOf, sameDay } from '../app/format';
import type { OutboxItem } from '../machines/outbox.machine';
import { MessageRow } from './MessageRow';

export type Row =
  | { key: string; kind: 'message'; message: Message; day?: string; divider: boolean }
  | { key: string; kind: 'outgoing'; item: OutboxItem; day?: string };

const NEAR_TOP_PX = 300;
const AT_BOTTOM_PX = 60;

export function MessageList({ roomId, actor, role }: { roomId: string; actor: RoomActor; role: RoomRole }) {
  const chat = useChat();
  const messages = useSelector(actor, (snapshot) => snapshot.context.messages);
  const loaded = useSelector(actor, (snapshot) => snapshot.matches('ready'));
  const failed = useSelector(actor, (snapshot) => snapshot.matches('failed'));
  const hasOlder = useSelector(actor, (snapshot) => snapshot.context.hasOlder);
  const loadingOlder = useSelector(actor, (snapshot) => snapshot.matches({ ready: { older: 'loading' } }));
  const firstUnreadSeq = useSelector(actor, (snapshot) => snapshot.context.firstUnreadSeq);
  const outbox = useSelector(chat.outbox, (snapshot) => snapshot.context.items);

  const rows = useMemo(() => {
    const held = new Set(messages.map((message) => message.id));
    const result: Row[] = [];
    let previousAt: string | undefined;
    for (const message of messages) {
      const day = !previousAt || !sameDay(previousAt, message.createdAt) ? dayOf(message.createdAt) : undefined;
      result.push({ key: message.id, kind: 'message', message, day, divider: message.seq === firstUnreadSeq });
      previousAt = message.createdAt;
    }
    const lastHeldSeq = messages[messages.length - 1]?.seq ?? 0;
    for (const item of outbox) {
      // A stored message shows as itself once the room holds it (or holds what came after it).
      if (item.roomId !== roomId || (item.message && (held.has(item.message.id) || item.message.seq <= lastHeldSeq))) continue;
      const day = !previousAt || !sameDay(previousAt, item.createdAt) ? dayOf(item.createdAt) : undefined;
      result.push({ key: `out-${item.clientMessageId}`, kind: 'outgoing', item, day });
      previousAt = item.createdAt;
    }
    return result;
  }, [messages, outbox, roomId, firstUnreadSeq]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 72,
    getItemKey: (index) => rows[index]?.key ?? index,
    overscan: 8,
  });

  const atBottom = useRef(true);
  const [showJump, setShowJump] = useState(false);
  const previousRows = useRef<{ firstKey?: string; lastKey?: string; count: number }>({ count: 0 });
  const positioned = useRef(false);

  // Where the reader is after rows change: at the divider (first time), kept in place (older
  // history above), or following the bottom (new messages, if the reader was there).
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element || rows.length === 0) return;
    const before = previousRows.current;
    const firstKey = rows[0]?.key;
    const lastKey = rows[rows.length - 1]?.key;
    previousRows.current = { firstKey, lastKey, count: rows.length };
    if (!positioned.current) {
      if (!loaded) return;
      positioned.current = true;
      const dividerIndex = rows.findIndex((row) => row.kind === 'message' && row.divider);
      if (dividerIndex > 0) virtualizer.scrollToIndex(dividerIndex, { align: 'start' });
      else virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
      return;
    }
    if (before.firstKey && firstKey !== before.firstKey) {
      const added = rows.findIndex((row) => row.key === before.firstKey);
      if (added > 0) {
        const offset = virtualizer.getOffsetForIndex(added, 'start')?.[0] ?? 0;
        element.scrollTop += offset;
      }
    }
    if (lastKey !== before.lastKey) {
      const mine = rows[rows.length - 1]?.kind === 'outgoing';
      if (atBottom.current || mine) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
      else setShowJump(true);
    }
  }, [rows, loaded, virtualizer]);

  const markSeen = useCallback(() => {
    const element = scrollRef.current;
    if (!element || document.visibilityState !== 'visible') return;
    const bottom = element.scrollTop + element.clientHeight + 4;
    let seen = 0;
    for (const item of virtualizer.getVirtualItems()) {
      const row = rows[item.index];
      // Seen once its bottom edge is in view (a message taller than the view counts too).
      if (row?.kind === 'message' && item.end <= bottom && item.end >= element.scrollTop) seen = Math.max(seen, row.message.seq);
    }
    if (seen > 0) actor.send({ type: 'SEEN', seq: seen });
  }, [actor, rows, virtualizer]);

  useEffect(() => {
    const timer = setTimeout(markSeen, 100);
    const onVisible = () => markSeen();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [markSeen]);

  const onScroll = () => {
    const element = scrollRef.current;
    if (!element) return;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM_PX;
    if (atBottom.current) setShowJump(false);
    if (positioned.current && element.scrollTop < NEAR_TOP_PX && hasOlder && !loadingOlder) actor.send({ type: 'LOAD_OLDER' });
    markSeen();
  };

  const items = virtualizer.getVirtualItems();
  return (
    <div className="message-scroll" ref={scrollRef} onScroll={onScroll} role="log" aria-label="Messages" aria-busy={!loaded} tabIndex={0}>
      {loadingOlder && (
        <p className="history-note" role="status">
          Loading older messages…
        </p>
      )}
      {failed && (
        <p className="history-note" role="alert">
          The messages could not be loaded.{' '}
          <button type="button" onClick={() => actor.send({ type: 'RETRY' })}>
            Try again
          </button>
        </p>
      )}
      {loaded && rows.length === 0 && (
        // Messages were written here, but none is left in the reader's history: it was cleared.
        <p className="history-note">{(chat.room(roomId)?.lastSeq ?? 0) > 0 ? 'The history was cleared. New messages show here.' : 'No messages yet. Say hello!'}</p>
      )}
      <div className="message-canvas" style={{ height: virtualizer.getTotalSize() }}>
        <div className="message-window" style={{ transform: `translateY(${items[0]?.start ?? 0}px)` }}>
          {items.map((item) => {
            const row = rows[item.index]!;
            return (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="message-slot">
                {row.day && (
                  <div className="day-separator" role="separator">
                    <span>{row.day}</span>
                  </div>
                )}
                {row.kind === 'message' && row.divider && (
                  <div className="new-divider" role="separator" aria-label="New messages">
                    <span>New messages</span>
                  </div>
                )}
                <MessageRow row={row} roomId={roomId} role={role} messages={messages} />
              </div>
            );
          })}
        </div>
      </div>
      {showJump && (
        <button
          type="button"
          className="jump"
          onClick={() => {
            virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
            setShowJump(false);
          }}
        >
          New messages ↓
        </button>
      )}
    </div>
  );
}
