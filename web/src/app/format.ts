// How times and names read on screen.

export function timeOf(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function dayOf(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getTime() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

export function sameDay(a: string, b: string): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

export function initialsOf(name: string): string {
  return (
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((part) => [...part][0]?.toUpperCase() ?? '')
      .join('') || '?'
  );
}

export function typingLine(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} more are typing…`;
}

/**
 * When an offline person was last seen, in absolute terms ("today at 14:03"), which stay true however long
 * the screen shows them; undefined when the server never saw them.
 */
export function lastSeenLine(lastSeenAt: string | null, now = new Date()): string | undefined {
  if (!lastSeenAt) return undefined;
  const seen = new Date(lastSeenAt);
  const yesterday = new Date(now.getTime() - 86_400_000);
  if (seen.toDateString() === now.toDateString()) return `last seen today at ${timeOf(lastSeenAt)}`;
  if (seen.toDateString() === yesterday.toDateString()) return `last seen yesterday at ${timeOf(lastSeenAt)}`;
  const sameYear = seen.getFullYear() === now.getFullYear();
  return `last seen ${seen.toLocaleDateString(undefined, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) })}`;
}

/** A person's presence in words: what the presence dot means, for those who do not see its colour. */
export function presenceLine(person: { readonly online: boolean; readonly lastSeenAt: string | null }): string {
  if (person.online) return 'online';
  return lastSeenLine(person.lastSeenAt) ?? 'offline';
}
