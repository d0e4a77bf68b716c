// MongoDB's answer to an insert whose key is taken: for an idempotent projection, the write was done before.
const DUPLICATE_KEY = 11000;

export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === DUPLICATE_KEY;
}
