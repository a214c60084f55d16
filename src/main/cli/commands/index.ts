import type { CliCommand } from '../command';
import { averageCommand } from './average';
import { benchCommand } from './bench';
import { evalCommand } from './eval';
import { infoCommand } from './info';
import { inspectCommand } from './inspect';
import { predictCommand } from './predict';
import { serveCommand } from './serve';
import { projectCommand } from './project';
import { trainCommand } from './train';

/** Every CLI command, in the order `--help` lists them. */
export const commands: CliCommand[] = [
  infoCommand,
  serveCommand,
  projectCommand,
  trainCommand,
  predictCommand,
  inspectCommand,
  evalCommand,
  averageCommand,
  benchCommand,
];
