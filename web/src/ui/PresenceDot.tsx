// A person's presence as a coloured dot that also says it in words (its label and tooltip).
import type { PublicProfile } from '../api/types';
import { presenceLine } from '../app/format';

export function PresenceDot({ person, className = 'presence-dot' }: { person: PublicProfile | undefined; className?: string }) {
  // Not known yet: no claim either way.
  if (!person) return <span className={`${className} unknown`} aria-hidden="true" />;
  const line = presenceLine(person);
  const label = person.online ? 'Online' : `Offline${line === 'offline' ? '' : `, ${line}`}`;
  return <span className={`${className} ${person.online ? 'online' : 'offline'}`} role="img" aria-label={label} title={label} />;
}
