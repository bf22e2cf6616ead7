import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter';

const text = (lines: Buffer[]) => lines.map((l) => l.toString('utf8'));

describe('LineSplitter', () => {
  it('joins lines across chunks and strips CR', () => {
    const s = new LineSplitter();
    expect(text(s.push(Buffer.from('a=1\nb=')))).toEqual(['a=1']);
    expect(text(s.push(Buffer.from('2\r\nc')))).toEqual(['b=2']);
    expect(s.end()?.toString()).toBe('c');
    expect(s.end()).toBeNull();
  });

  it('keeps a multi-byte character split across chunks intact', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('µ=1\n');
    s.push(bytes.subarray(0, 1));
    expect(text(s.push(bytes.subarray(1)))).toEqual(['µ=1']);
  });

  it('drops and counts a line over the cap without buffering it, then carries on', () => {
    const s = new LineSplitter(1024);
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    for (let i = 0; i < 160; i++) expect(s.push(chunk)).toEqual([]); // 10 MiB, no newline
    expect(text(s.push(Buffer.from('tail\nnext=1\n')))).toEqual(['next=1']);
    expect(s.overlongLines).toBe(1);
  });

  it('accepts a line exactly at the cap and drops one byte more', () => {
    const s = new LineSplitter(4);
    expect(text(s.push(Buffer.from('abcd\nabcde\nx\n')))).toEqual(['abcd', 'x']);
    expect(s.overlongLines).toBe(1);
  });

  it('drops an overlong unterminated last line at end()', () => {
    const s = new LineSplitter(4);
    s.push(Buffer.from('abcdefgh'));
    expect(s.end()).toBeNull();
    expect(s.overlongLines).toBe(1);
  });
});
