/** The status bar's words for the compute backend: a short label and a tooltip with the details. */
import type { BackendReport } from '../../../shared/api/app';
import { describeGpu, gpuName } from '../../../shared/backend-text';

/** `wasm ×2`, `webgpu · NVIDIA H200`, `webgpu · llvmpipe (software)`; an ellipsis until known. */
export function backendLabel(report: BackendReport | null): string {
  if (!report) return '…';
  const { active, adapter } = report;
  if (active === 'webgpu' && adapter)
    return `webgpu · ${gpuName(adapter)}${adapter.software ? ' (software)' : ''}`;
  return `${active ?? 'none'}${report.threads > 1 ? ` ×${report.threads}` : ''}`;
}

/** The GPU in full when WebGPU found one, then why each better backend was not used. */
export function backendTooltip(report: BackendReport | null): string {
  if (!report) return '';
  const lines: string[] = [];
  if (report.adapter) {
    const used = report.active === 'webgpu' ? '' : ' (not used)';
    lines.push(`GPU${used}: ${describeGpu(report.adapter)}`);
  }
  for (const r of report.rejected) lines.push(`${r.backend}: ${r.message}`);
  return lines.join('\n');
}
