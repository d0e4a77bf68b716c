// Plain-text output for the admin CLI: aligned tables and a one-line progress bar.

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => [...(row[i] ?? '')].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]! + (cell.length - [...cell].length))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function truncate(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly eventsPerSecond: number;
}

/** `[██████░░░░░░]  52%  104,000/200,000 events  48,100 events/s  ETA 2s` */
export function progressBar({ done, total, eventsPerSecond }: Progress, width = 30): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const remaining = Math.max(0, total - done);
  const eta = eventsPerSecond > 0 ? `ETA ${formatSeconds(remaining / eventsPerSecond)}` : 'ETA –';
  const count = (n: number) => Math.round(n).toLocaleString('en-US');
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${`${Math.floor(fraction * 100)}%`.padStart(4)}  ${count(done)}/${count(total)} events  ${count(eventsPerSecond)} events/s  ${eta}`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}
