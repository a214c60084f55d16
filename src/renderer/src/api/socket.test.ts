import { describe, expect, it } from 'vitest';
import { connectionLostMessage } from './socket';

describe('connectionLostMessage', () => {
  it('tells the person when serve refused a message over its size limit', () => {
    expect(connectionLostMessage(1009, '')).toMatch(/larger than `serve` accepts/);
    expect(connectionLostMessage(1002, '')).toMatch(/lost \(WebSocket close 1002\)/);
    expect(connectionLostMessage(1001, 'server stopping')).toMatch(/lost \(server stopping\)/);
    expect(connectionLostMessage(1006, '')).toMatch(/^The connection to the engine was lost\./);
  });
});
