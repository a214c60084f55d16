/**
 * A Node client of the contract over browser mode's WebSocket, so end-to-end tests can read
 * back what the UI wrote (masks, revisions) through the same requests the UI uses.
 */
import { WebSocket } from 'ws';
import type { RequestName, RequestInput, RequestOutput } from '../src/shared/api';
import { decodeWire, encodeWire } from '../src/shared/api/wire';
import type { Result } from '../src/shared/result';
import type { ServeProcess } from './harness';

export interface ContractClient {
  request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
  close(): void;
}

/** Connects with the serve process's token; requests reject with the error's code and message. */
export async function connectContract(serve: ServeProcess): Promise<ContractClient> {
  const ws = new WebSocket(`${serve.origin.replace('http', 'ws')}/ws?token=${serve.token}`);
  ws.binaryType = 'arraybuffer';
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  ws.on('message', (data: ArrayBuffer) => {
    const message = decodeWire(new Uint8Array(data));
    if (message.type === 'response') pending.get(message.id)?.(message.result);
  });
  return {
    request(name, input) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, (result) => {
          pending.delete(id);
          if (result.ok) resolve(result.value as never);
          else reject(new Error(`${result.error.code}: ${result.error.message}`));
        });
        ws.send(encodeWire({ type: 'request', id, name, input }));
      });
    },
    close: () => ws.close(),
  };
}
