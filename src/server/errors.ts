/**
 * HttpError: an expected failure of a request, with its status, the protocol's error code, and
 * the field or reason code it is about. Route handlers throw it; the app's error handler turns it
 * into the JSON error body. Anything else thrown is a bug and becomes a 500 without details.
 */
import type { ZodError } from 'zod';
import type { ErrorResponse, RestErrorCode } from './protocol.js';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: RestErrorCode,
    message: string,
    readonly extra: { field?: string; reason?: string } = {},
  ) {
    super(message);
  }

  body(): ErrorResponse {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

/**
 * A 400 naming every invalid field of a zod result: "limit "abc" is not a whole number; side:
 * expected one of BUY|SELL". `where` prefixes paths ("query", "body").
 */
export function invalidInput(error: ZodError, where: string): HttpError {
  const parts = error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    // Messages written for a field already name it; zod's generic ones get the path in front.
    return path !== '' && !issue.message.startsWith(path.split('.')[0]!) ? `${path}: ${issue.message}` : issue.message;
  });
  const first = error.issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : undefined;
  return new HttpError(400, 'INVALID_FIELD', `invalid ${where}: ${parts.join('; ')}`, field === undefined ? {} : { field });
}
