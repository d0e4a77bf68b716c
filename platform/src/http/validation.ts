// Input parsing at the HTTP edge: a zod schema either returns the typed value or the request fails
// with 400 VALIDATION_FAILED listing what is wrong, field by field.
import { z } from 'zod';
import { ApiError } from './api-error';

export interface ValidationIssue {
  /** Dotted path to the field (`members.2.userId`); empty for the value as a whole. */
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

export function validationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((segment) => String(segment)).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

export function validationFailed(error: z.ZodError, what = 'The request'): ApiError {
  const issues = validationIssues(error);
  const first = issues[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid';
  return ApiError.validationFailed(`${what} is not valid (${summary})`, { issues });
}

/** The value as `schema` parses it, or an ApiError VALIDATION_FAILED naming every bad field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(result.error, what);
  return result.data;
}
