import { describe, expect, it } from 'vitest';
import { isDeclaredErrorCode, requestNames, requests, type RequestErrorCode } from '.';
import {
  OUTSIDE_REQUEST_ERROR_CODES,
  COMMON_ERROR_CODES,
  ERROR_CODE_TABLES,
  STUDIO_ERROR_CODES,
  type ErrorCode,
} from './errors';

const tableCodes = Object.values(ERROR_CODE_TABLES).flatMap((table) => Object.values(table));
const commonCodes: string[] = Object.values(COMMON_ERROR_CODES);
const declaredByRequests = new Set(
  requestNames.flatMap((name) => requests[name].errors as readonly string[]),
);

describe('the error code tables', () => {
  it('declare each code once, across all tables', () => {
    const seen = new Map<string, number>();
    for (const code of tableCodes) seen.set(code, (seen.get(code) ?? 0) + 1);
    expect([...seen].filter(([, count]) => count > 1).map(([code]) => code)).toEqual([]);
  });

  it('hold every code a request declares', () => {
    const known = new Set<string>(tableCodes);
    const unknown = requestNames.flatMap((name) =>
      (requests[name].errors as readonly string[])
        .filter((code) => !known.has(code))
        .map((code) => `${name}: ${code}`),
    );
    expect(unknown).toEqual([]);
  });

  it('have every code used by some request, or say where it goes instead', () => {
    const outside = Object.values(OUTSIDE_REQUEST_ERROR_CODES) as string[];
    const unused = tableCodes.filter(
      (code) =>
        !commonCodes.includes(code) && !declaredByRequests.has(code) && !outside.includes(code),
    );
    expect(unused).toEqual([]);
    // A code said to stay outside the requests is in a table and named by none.
    for (const code of outside) {
      expect(tableCodes, code).toContain(code);
      expect(declaredByRequests.has(code), code).toBe(false);
    }
  });

  it('leave the common codes out of the requests, which all may return them', () => {
    const listed = requestNames.filter((name) =>
      (requests[name].errors as readonly string[]).some((code) => commonCodes.includes(code)),
    );
    expect(listed).toEqual([]);
    for (const name of requestNames) {
      for (const code of commonCodes) expect(isDeclaredErrorCode(name, code)).toBe(true);
    }
  });
});

describe('a request declaration', () => {
  it('lets through its own codes and the common ones, nothing else', () => {
    expect(isDeclaredErrorCode('studio.mask', STUDIO_ERROR_CODES.NOT_OPEN)).toBe(true);
    expect(isDeclaredErrorCode('studio.mask', 'SHELL_DESKTOP_ONLY')).toBe(false);
    expect(isDeclaredErrorCode('app.info', 'STUDIO_NOT_OPEN')).toBe(false);
    expect(isDeclaredErrorCode('shell.openDialog', 'SHELL_DIALOG_WRONG_TYPE')).toBe(true);
    expect(isDeclaredErrorCode('shell.saveDialog', 'SHELL_DIALOG_WRONG_TYPE')).toBe(false);
  });

  it("types a result's code as the request's union (checked by tsc)", () => {
    const mine: RequestErrorCode<'studio.mask'> = STUDIO_ERROR_CODES.UNKNOWN_IMAGE;
    const common: RequestErrorCode<'app.info'> = COMMON_ERROR_CODES.INTERNAL;
    // @ts-expect-error app.info declares no studio code
    const foreign: RequestErrorCode<'app.info'> = STUDIO_ERROR_CODES.NOT_OPEN;
    // @ts-expect-error a code in no table is no request's
    const invented: ErrorCode = 'STUDIO_NOT_A_CODE';
    expect([mine, common, foreign, invented]).toHaveLength(4);
  });
});
