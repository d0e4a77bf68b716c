// Domain errors become the contract's error body here: the kind picks the status, the domain's own
// code goes into `details.reason`, and field violations take the shape zod's issues have at the edge,
// so a client reads every 400 the same way.
import { type DomainError, type FieldViolation } from '@chat/domain';
import { ApiError, type ApiErrorCode, type ValidationIssue } from '@chat/platform';

const CODE_OF_KIND: Record<DomainError['kind'], ApiErrorCode> = {
  validation: 'VALIDATION_FAILED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
};

export function apiErrorOf(error: DomainError): ApiError {
  const code = CODE_OF_KIND[error.kind];
  if (error.kind === 'validation' && Array.isArray(error.details)) {
    return new ApiError(code, error.message, { reason: error.code, issues: (error.details as FieldViolation[]).map(issueOf) });
  }
  const details = typeof error.details === 'object' && error.details !== null ? error.details : {};
  return new ApiError(code, error.message, { reason: error.code, ...details });
}

function issueOf(violation: FieldViolation): ValidationIssue {
  const limit = violation.limit === undefined ? '' : ` ${violation.limit}`;
  return { path: violation.field, code: violation.rule, message: `${violation.rule.replaceAll('_', ' ')}${limit}` };
}
