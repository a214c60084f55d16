import type { CliCommand } from '../command';
import { infoCommand } from './info';

/** Every CLI command, in the order `--help` lists them. */
export const commands: CliCommand[] = [infoCommand];
