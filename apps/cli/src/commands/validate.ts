import { formatIssues, loadSweepConfig } from '@hyperfleet/domain';
import pc from 'picocolors';
import { EXIT } from '../cli-error';

/** `hyperfleet validate sweep.yaml`: every problem at once, exit 2 when there is one. Warnings never fail. */
export async function validateCommand(
  file: string,
  io = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const result = await loadSweepConfig(file);
  if (result.warnings.length > 0) {
    io.err.write(`${pc.yellow(`${file}: ${plural(result.warnings.length, 'warning')}`)}\n`);
    io.err.write(`${formatIssues(result.warnings, { source: file })}\n`);
  }
  if (result.ok) {
    const params = Object.keys(result.config.parameters ?? {}).length;
    io.out.write(`${pc.green('ok')} ${file}: ${result.config.method} sweep, ${plural(params, 'parameter')}\n`);
    return EXIT.ok;
  }
  io.err.write(`${pc.red(`${file}: ${plural(result.issues.length, 'problem')}`)}\n`);
  io.err.write(`${formatIssues(result.issues, { source: file })}\n`);
  return EXIT.usage;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
