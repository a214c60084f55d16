/**
 * The one place where a request from outside (IPC, WebSocket, CLI) meets the engine:
 * the name is checked against the contract, the input validated by its schema, and every
 * outcome, thrown or not, becomes a Result. An error whose code the request does not declare
 * (src/shared/api/errors.ts) is reported: with VESSEL_STRICT_ERROR_CODES=1 (the test configs set
 * it) it becomes an INTERNAL error naming the code to declare, otherwise it is logged and
 * returned as it is.
 */
import { isDeclaredErrorCode, isRequestName, requests, type RequestName } from '../../shared/api';
import {
  COMMON_ERROR_CODES,
  describeIssues,
  toErrorInfo,
  type ErrorInfo,
  type Result,
} from '../../shared/result';

export { describeIssues };
import type { Handlers } from './handlers';

export async function dispatchRequest(
  handlers: Handlers,
  name: unknown,
  rawInput: unknown,
): Promise<Result<unknown>> {
  if (!isRequestName(name)) {
    return {
      ok: false,
      error: {
        code: COMMON_ERROR_CODES.UNKNOWN_REQUEST,
        message: `Unknown request "${String(name)}". Update the app: this client and the engine disagree on the contract.`,
      },
    };
  }
  const parsed = requests[name].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: COMMON_ERROR_CODES.BAD_INPUT,
        message: `Invalid input for ${name}: ${describeIssues(parsed.error.issues)}`,
        details: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      },
    };
  }
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (error) {
    const info = toErrorInfo(error);
    if (isDeclaredErrorCode(name, info.code)) return { ok: false, error: info };
    return { ok: false, error: undeclaredErrorReporter(name, info) };
  }
}

/**
 * Told of an error a handler failed with whose code its request does not declare; returns the
 * error the caller gets.
 */
export type UndeclaredErrorReporter = (name: RequestName, error: ErrorInfo) => ErrorInfo;

const warned = new Set<string>();

/**
 * With VESSEL_STRICT_ERROR_CODES=1 (set by vitest.config.ts and vitest.e2e.config.ts, so it
 * reaches the CLI and serve processes the tests start) an undeclared code becomes INTERNAL, and
 * a test expecting the code fails with a message naming it; otherwise the error is kept and a
 * warning logged, once per request and code.
 */
const defaultReporter: UndeclaredErrorReporter = (name, error) => {
  const text = `${name} failed with ${error.code}, which its declaration in src/shared/api does not list: add the code to its errors`;
  if (process.env.VESSEL_STRICT_ERROR_CODES === '1') {
    return {
      code: COMMON_ERROR_CODES.INTERNAL,
      message: `${text} (${error.message})`,
      details: { undeclared: error },
    };
  }
  const key = `${name} ${error.code}`;
  if (!warned.has(key)) {
    warned.add(key);
    console.warn(`${text}.`);
  }
  return error;
};

let undeclaredErrorReporter: UndeclaredErrorReporter = defaultReporter;

/** Replaces the reporter of undeclared codes; returns the one it replaced. */
export function setUndeclaredErrorReporter(
  reporter: UndeclaredErrorReporter,
): UndeclaredErrorReporter {
  const previous = undeclaredErrorReporter;
  undeclaredErrorReporter = reporter;
  return previous;
}

export type { RequestName };
