import { formatIssues, loadSweepConfig } from '@hyperfleet/spec';
import pc from 'picocolors';
import { EXIT } from '../cli-error';

/** `hyperfleet validate sweep.yaml`: every problem at once, exit 2 when there is one. */
export async function validateCommand(file: string, io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const result = await loadSweepConfig(file);
  if (result.ok) {
    io.out.write(`${pc.green('ok')} ${file}: ${result.config.method} sweep, ${countParams(result.config.parameters)} parameters\n`);
    return EXIT.ok;
  }
  io.err.write(`${pc.red(`${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}`)}\n`);
  io.err.write(`${formatIssues(result.issues)}\n`);
  return EXIT.usage;
}

function countParams(parameters: Record<string, unknown> | undefined): number {
  return Object.keys(parameters ?? {}).length;
}
