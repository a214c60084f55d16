/** Waiting for a ComputeHost's events in tests (the host and the Electron shell's tests). */
import type { ComputeHost, ComputeHostEvents } from '../../src/main/compute/host';

/** Resolves with the payload of the host's next `name` event. */
export function nextEvent<E extends keyof ComputeHostEvents>(
  host: Pick<ComputeHost, 'on'>,
  name: E,
): Promise<ComputeHostEvents[E]> {
  return new Promise((resolve) => {
    const off = host.on(name, (payload) => {
      off();
      resolve(payload);
    });
  });
}
