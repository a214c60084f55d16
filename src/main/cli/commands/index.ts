import type { CliCommand } from '../command';
import { benchCommand } from './bench';
import { infoCommand } from './info';
import { serveCommand } from './serve';

/** Every CLI command, in the order `--help` lists them. */
export const commands: CliCommand[] = [infoCommand, serveCommand, benchCommand];
