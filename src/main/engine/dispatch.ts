/**
 * The one place where a request from outside (IPC, WebSocket, CLI) meets the engine:
 * the name is checked against the contract, the input validated by its schema, and every
 * outcome, thrown or not, becomes a Result.
 */
import { isRequestName, requests, type RequestName } from '../../shared/api';
import { COMMON_ERROR_CODES, describeIssues, toErrorInfo, type Result } from '../../shared/result';

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
    return { ok: false, error: toErrorInfo(error) };
  }
}

export type { RequestName };
