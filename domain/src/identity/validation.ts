// Pure checks on what people type into identity forms. Each returns a `VALIDATION_FAILED` error listing
// every broken rule by field, or undefined when the input is fine. Lengths count code points.
import { codePointLength, type DomainError, domainError } from '../shared/decider';

export const usernameLength = { min: 3, max: 32 } as const;
/** The upper bound keeps a hostile request from making the argon2 hash expensive; the contract only sets the lower one. */
export const passwordLength = { min: 8, max: 1024 } as const;
export const displayNameLength = { min: 1, max: 64 } as const;
export const bioMaxLength = 500;
export const statusTextMaxLength = 140;

export interface FieldViolation {
  readonly field: string;
  readonly rule: 'min_length' | 'max_length' | 'pattern' | 'single_line' | 'empty';
  readonly limit?: number;
}

/** Usernames are compared and stored lowercased and trimmed: `Alice` and `alice` are the same name. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** Checks the normalized form, so `Alice` is accepted (as `alice`) while `al ice` is not. */
export function validateUsername(username: string): DomainError | undefined {
  const normalized = normalizeUsername(username);
  return failed([
    ...lengthViolations('username', normalized, usernameLength),
    ...(/^[a-z0-9_.]*$/.test(normalized) ? [] : [{ field: 'username', rule: 'pattern' } as const]),
  ]);
}

/** Run before hashing; a password is taken exactly as typed (never trimmed). */
export function validatePassword(password: string, field = 'password'): DomainError | undefined {
  return failed(lengthViolations(field, password, passwordLength));
}

/** A profile edit: only the fields present change; `avatarFileId: null` removes the avatar. */
export interface ProfileChanges {
  readonly displayName?: string;
  readonly bio?: string;
  readonly statusText?: string;
  readonly avatarFileId?: string | null;
}

/** Leading and trailing whitespace never means anything in a profile, so it is dropped before checking and storing. */
export function trimProfile(changes: ProfileChanges): ProfileChanges {
  const { displayName, bio, statusText } = changes;
  return {
    ...changes,
    ...(displayName === undefined ? {} : { displayName: displayName.trim() }),
    ...(bio === undefined ? {} : { bio: bio.trim() }),
    ...(statusText === undefined ? {} : { statusText: statusText.trim() }),
  };
}

/**
 * Expects trimmed text (see `trimProfile`). Display name and status text are one line; a bio may hold
 * line breaks. Whether an avatar file exists and belongs to the user is checked where files live.
 */
export function validateProfile(changes: ProfileChanges): DomainError | undefined {
  const { displayName, bio, statusText, avatarFileId } = changes;
  return failed([
    ...(displayName === undefined ? [] : [...lengthViolations('displayName', displayName, displayNameLength), ...singleLine('displayName', displayName)]),
    ...(bio === undefined ? [] : lengthViolations('bio', bio, { min: 0, max: bioMaxLength })),
    ...(statusText === undefined ? [] : [...lengthViolations('statusText', statusText, { min: 0, max: statusTextMaxLength }), ...singleLine('statusText', statusText)]),
    ...(avatarFileId === '' ? [{ field: 'avatarFileId', rule: 'empty' } as const] : []),
  ]);
}

function lengthViolations(field: string, text: string, { min, max }: { min: number; max: number }): FieldViolation[] {
  const length = codePointLength(text);
  if (length < min) return [{ field, rule: 'min_length', limit: min }];
  if (length > max) return [{ field, rule: 'max_length', limit: max }];
  return [];
}

function singleLine(field: string, text: string): FieldViolation[] {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  return /[\u0000-\u001f\u007f\u2028\u2029]/.test(text) ? [{ field, rule: 'single_line' }] : [];
}

function failed(violations: FieldViolation[]): DomainError | undefined {
  if (violations.length === 0) return undefined;
  const fields = [...new Set(violations.map((violation) => violation.field))].join(', ');
  return domainError('validation', 'VALIDATION_FAILED', `invalid ${fields}`, violations);
}
