import type { VesselApi } from '../../shared/api';

declare global {
  interface Window {
    /** Present in the desktop app: exposed by the preload through contextBridge. */
    vessel?: VesselApi;
  }
}

export {};
