import type { LocalText } from './i18n.js';

// One error type for the whole application; one table maps its codes to HTTP statuses.

export const ERROR_STATUS = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf: 403,
  account_locked: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  // a request understood and well formed that a business rule refuses (issue 19): the product does
  // not suit the customer; a second staff member must confirm it (65 and over, R4/R5)
  product_unsuitable: 422,
  confirmation_required: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** A message is either in both languages (what users see) or plain English (operators, CLI). */
export type Message = string | LocalText;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly text: Message,
    readonly fields?: Record<string, Message>,
  ) {
    super(typeof text === 'string' ? text : text.en);
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: Record<string, string> };
}
