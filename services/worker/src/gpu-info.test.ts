import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiCsv } from './gpu-info';
import { parseGpuList, resolveGpuSelection } from './nvidia-smi';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('parseNvidiaSmiCsv', () => {
  it('parses the noheader,nounits output the agent asks for (2× H100)', () => {
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-2xh100.csv'))).toEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 1024, utilizationPct: 15 },
      { index: 1, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 2048, utilizationPct: 30 },
    ]);
  });

  it('tolerates the header line and unit suffixes of plain --format=csv', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-3x3090-header-units.csv'));
    expect(gpus).toHaveLength(3);
    expect(gpus[1]).toEqual({
      index: 1,
      name: 'NVIDIA GeForce RTX 3090',
      memoryTotalMiB: 24576,
      memoryUsedMiB: 20000,
      utilizationPct: 95,
    });
  });

  it('parses both formats as captured on an H200 machine (idle)', () => {
    const h200 = { index: 0, name: 'NVIDIA H200', memoryTotalMiB: 143771, memoryUsedMiB: 0, utilizationPct: 0 };
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-1xh200.csv'))).toEqual([h200]);
    expect(parseNvidiaSmiCsv(fixture('nvidia-smi-1xh200-header-units.csv'))).toEqual([h200]);
  });

  it('reads [N/A] / [Not Supported] as null, keeps commas in names, and skips blank lines (CRLF too)', () => {
    expect(parseNvidiaSmiCsv('\r\n0, Some GPU, rev 2, 8192, [N/A], [Not Supported]\r\n\r\n')).toEqual([
      { index: 0, name: 'Some GPU, rev 2', memoryTotalMiB: 8192, memoryUsedMiB: null, utilizationPct: null },
    ]);
    expect(parseNvidiaSmiCsv('')).toEqual([]);
  });

  it('fails loudly on output it does not understand', () => {
    expect(() => parseNvidiaSmiCsv('No devices were found')).toThrow('unexpected nvidia-smi line');
    expect(() => parseNvidiaSmiCsv('x, A100, 1, 2, 3')).toThrow('unexpected GPU index');
  });
});

describe('GPU selection', () => {
  const twoGpus = async () => parseNvidiaSmiCsv(fixture('nvidia-smi-2xh100.csv'));

  it('all → every GPU; a list → those GPUs, checked against nvidia-smi', async () => {
    expect((await resolveGpuSelection('all', twoGpus)).indices).toEqual([0, 1]);
    const one = await resolveGpuSelection(' 1 ', twoGpus);
    expect(one.indices).toEqual([1]);
    expect(one.gpus.map((g) => g.index)).toEqual([1]);
    await expect(resolveGpuSelection('0,5', twoGpus)).rejects.toThrow(
      '--gpus names GPU 5, which nvidia-smi does not list',
    );
    await expect(resolveGpuSelection('all', async () => [])).rejects.toThrow('nvidia-smi lists no GPUs');
  });

  it('a list is trusted (with a warning) when nvidia-smi is not there; "all" is not', async () => {
    const missing = async () => {
      throw new Error('nvidia-smi not found on PATH');
    };
    expect(await resolveGpuSelection('0,2', missing)).toEqual({
      indices: [0, 2],
      gpus: [],
      warning: 'GPU use will not be reported: nvidia-smi not found on PATH',
    });
    await expect(resolveGpuSelection('all', missing)).rejects.toThrow('not found');
  });

  it('parseGpuList rejects what is not a list of indices', () => {
    expect(parseGpuList('0,2,3')).toEqual([0, 2, 3]);
    expect(() => parseGpuList('0,,1')).toThrow('--gpus expects "all" or a list of indices');
    expect(() => parseGpuList('gpu0')).toThrow('--gpus expects');
    expect(() => parseGpuList('1,1')).toThrow('lists a GPU twice');
  });
});
