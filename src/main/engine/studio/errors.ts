/**
 * The studio's error codes, in a module of their own so that every part of the session can
 * throw them without importing the session (session.ts re-exports them for its callers).
 */
export { STUDIO_ERROR_CODES } from '../../../shared/api/errors';
