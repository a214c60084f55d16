/** The sandboxed preload: exposes the contract as `window.vessel`, and nothing else. */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridgeApi } from './bridge';

contextBridge.exposeInMainWorld('vessel', createBridgeApi(ipcRenderer));
