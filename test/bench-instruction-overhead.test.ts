import { describe, expect, it } from 'vitest';
import { summaryInstructions } from '../bench/instruction-overhead.js';
import { InputError } from '../src/core/errors.js';

describe('instruction-overhead', () => {
  it("reads the instruction count of a callgrind profile's summary line", () => {
    const profile = '# callgrind format\nversion: 1\npid: 42\n\npositions: line\nevents: Ir\nsummary: 6230138024\n\nfl=???\n';
    expect(summaryInstructions(profile)).toBe(6_230_138_024);
  });

  it('refuses a file without a summary line, saying so', () => {
    expect(() => summaryInstructions('events: Ir\n')).toThrow(InputError);
    expect(() => summaryInstructions('events: Ir\n')).toThrow(/no "summary:" line/);
  });
});
