/**
 * `info`: version, platform, the compute backend in use and the GPU adapter where WebGPU found
 * one, and for every rung of the ladder why it was or was not taken. --json prints app.info as is.
 */
import { BACKEND_NAMES, type AppInfo, type BackendReport } from '../../../shared/api/app';
import { describeGpu, gpuName, REJECTION_WORDS } from '../../../shared/backend-text';
import type { CliCommand } from '../command';

/** Why one rung of the ladder was taken or not, in a few words and the loader's own message. */
function rungStatus(report: BackendReport, rung: (typeof BACKEND_NAMES)[number]): string {
  if (rung === report.active) {
    const how = report.chosenBy === 'ladder' ? '' : ` (forced by ${report.chosenBy})`;
    if (rung !== 'webgpu' || !report.adapter) return `in use${how}`;
    const adapter = report.adapter;
    return `in use on ${gpuName(adapter)}, a ${adapter.software ? 'software' : 'hardware'} adapter${how}`;
  }
  const rejection = report.rejected.find((r) => r.backend === rung);
  if (rejection?.reason === 'skipped-by-setting')
    return `not tried: ${report.active ?? 'another backend'} is forced by ${report.chosenBy}`;
  if (rejection) return `not used, ${REJECTION_WORDS[rejection.reason]}: ${rejection.message}`;
  if (report.active === null) return 'not tried';
  return `not needed: ${report.active} ranks above it and is in use`;
}

/** The human text of `info`. */
export function describeInfo(info: AppInfo): string {
  const { backend } = info;
  const lines = [
    `${info.name} ${info.version}`,
    `platform: ${info.platform.os} (${info.platform.arch}), Node ${info.platform.node}` +
      (info.platform.electron ? `, Electron ${info.platform.electron}` : ''),
    `compute backend: ${backend.active ?? 'none'} (chosen by ${backend.chosenBy}, ${backend.threads} thread${backend.threads === 1 ? '' : 's'})`,
  ];
  if (backend.adapter) {
    const used = backend.active === 'webgpu' ? '' : ' (not used)';
    lines.push(`GPU adapter${used}: ${describeGpu(backend.adapter)}`);
  }
  lines.push('ladder, best first:');
  const width = Math.max(...BACKEND_NAMES.map((n) => n.length)) + 2;
  for (const rung of BACKEND_NAMES)
    lines.push(`  ${rung.padEnd(width)}${rungStatus(backend, rung)}`);
  return lines.join('\n');
}

export const infoCommand: CliCommand = {
  name: 'info',
  summary:
    'Version, platform, the compute backend and GPU in use, and why each rung was or was not taken.',
  usage: '[--json] [--backend <name>]',
  options: {},
  async run(_args, io) {
    const result = await io.engine().request('app.info', {});
    if (!result.ok) throw new Error(result.error.message);
    const info = result.value as AppInfo;
    return { json: info, text: describeInfo(info) };
  },
};
