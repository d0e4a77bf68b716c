import { normalizeUsername, trimProfile, validatePassword, validateProfile, validateUsername } from './validation';

describe('normalizeUsername', () => {
  it('trims and lowercases', () => {
    expect(normalizeUsername('  Alice.B_1 ')).toBe('alice.b_1');
  });
});

describe('validateUsername', () => {
  it.each(['abc', 'a'.repeat(32), 'alice.b_1', 'Alice'])('accepts %p', (username) => {
    expect(validateUsername(username)).toBeUndefined();
  });

  it.each([
    ['ab', 'min_length'],
    ['a'.repeat(33), 'max_length'],
    ['al ice', 'pattern'],
    ['al-ice', 'pattern'],
    ['alïce', 'pattern'],
  ])('refuses %p (%s)', (username, rule) => {
    expect(validateUsername(username)).toMatchObject({ kind: 'validation', code: 'VALIDATION_FAILED', details: [{ field: 'username', rule }] });
  });
});

describe('validatePassword', () => {
  it('accepts 8 characters, counted as code points', () => {
    expect(validatePassword('🔑'.repeat(8))).toBeUndefined();
  });

  it('refuses 7 characters and names the field', () => {
    expect(validatePassword('1234567', 'newPassword')).toMatchObject({
      code: 'VALIDATION_FAILED', details: [{ field: 'newPassword', rule: 'min_length', limit: 8 }],
    });
  });

  it('does not trim, so spaces count', () => {
    expect(validatePassword('  pass  ')).toBeUndefined();
  });

  it('refuses more than 1024 characters, which would only make hashing expensive', () => {
    expect(validatePassword('p'.repeat(1025))).toMatchObject({ details: [{ field: 'password', rule: 'max_length', limit: 1024 }] });
  });
});

describe('validateProfile', () => {
  it('accepts an empty bio and status text, which clear them', () => {
    expect(validateProfile({ bio: '', statusText: '' })).toBeUndefined();
  });

  it('accepts line breaks in a bio', () => {
    expect(validateProfile({ bio: 'first line\nsecond line' })).toBeUndefined();
  });

  it('refuses an empty avatar file id', () => {
    expect(validateProfile({ avatarFileId: '' })).toMatchObject({ details: [{ field: 'avatarFileId', rule: 'empty' }] });
  });

  it('trims text fields only', () => {
    expect(trimProfile({ displayName: ' A ', bio: ' b ', statusText: ' s ', avatarFileId: null })).toEqual({ displayName: 'A', bio: 'b', statusText: 's', avatarFileId: null });
  });
});
