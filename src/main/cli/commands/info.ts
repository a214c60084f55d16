import type { AppInfo } from '../../../shared/api/app';
import type { CliCommand } from '../command';

function describe(info: AppInfo): string {
  const lines = [
    `${info.name} ${info.version}`,
    `platform: ${info.platform.os} (${info.platform.arch}), Node ${info.platform.node}` +
      (info.platform.electron ? `, Electron ${info.platform.electron}` : ''),
    `compute backend: ${info.backend.active ?? 'none'} (chosen by ${info.backend.chosenBy}, ${info.backend.threads} thread${info.backend.threads === 1 ? '' : 's'})`,
  ];
  for (const r of info.backend.rejected)
    lines.push(`  not ${r.backend}: ${r.reason}: ${r.message}`);
  return lines.join('\n');
}

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'Version, platform and the compute backend in use (with why each better one is not).',
  usage: '[--json] [--backend <name>]',
  options: {},
  async run(_args, io) {
    const result = await io.engine().request('app.info', {});
    if (!result.ok) throw new Error(result.error.message);
    const info = result.value as AppInfo;
    return { json: info, text: describe(info) };
  },
};
