import { describe, expect, it } from 'vitest';
import { formatIssues } from './format-issues';

describe('formatIssues', () => {
  it('prints path, position, message, expected, found and hint per issue', () => {
    const text = formatIssues(
      [
        {
          path: 'parameters.lr.min',
          expected: 'min <= max (1)',
          found: 'min 2',
          hint: 'swap min and max',
          message: 'parameters.lr.min: min (2) is greater than max (1)',
          line: 12,
          column: 5,
        },
        {
          path: 'parallel',
          expected: 'a number >= 1',
          found: '0 (number)',
          message: 'parallel: expected a number >= 1, found 0 (number)',
        },
      ],
      { source: 'sweep.yaml' },
    );
    expect(text).toBe(
      [
        '1. parameters.lr.min (sweep.yaml:12:5)',
        '   min (2) is greater than max (1)',
        '   expected: min <= max (1)',
        '   found:    min 2',
        '   hint:     swap min and max',
        '2. parallel (sweep.yaml)',
        '   expected: a number >= 1',
        '   found:    0 (number)',
      ].join('\n'),
    );
  });

  it('without a source, positions read as line/column; with no issues it says so', () => {
    const text = formatIssues([
      { path: '', expected: 'valid YAML', found: '"x" (line 3)', message: 'bad', line: 3, column: 7 },
    ]);
    expect(text.split('\n')[0]).toBe('1. (document) (line 3, column 7)');
    expect(formatIssues([])).toBe('no problems found');
  });
});
