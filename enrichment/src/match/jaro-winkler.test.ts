import { describe, expect, it } from 'vitest';
import { jaro, jaroWinkler, jaroWinklerKeys } from './jaro-winkler.ts';

describe('jaroWinkler', () => {
  it.each([
    ['MARTHA', 'MARHTA', 0.9611],
    ['DWAYNE', 'DUANE', 0.84],
    ['DIXON', 'DICKSONX', 0.8133],
    ['JONATHAN', 'JONATHON', 0.95],
    ['ABCDEFGH', 'ABCDWXYZ', 0.6667],
  ])('%s / %s ≈ %d (Winkler reference pairs)', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 4);
    expect(jaroWinkler(b, a)).toBeCloseTo(expected, 4);
  });

  it('gives no prefix boost below a Jaro similarity of 0.7', () => {
    // ABCD prefix is shared, yet the score stays at the plain Jaro value.
    expect(jaroWinkler('ABCDEFGH', 'ABCDWXYZ')).toBe(jaro('ABCDEFGH', 'ABCDWXYZ'));
  });

  it('caps the prefix at four characters', () => {
    const sim = jaro('ABCDEFG', 'ABCDEFX');
    expect(jaroWinkler('ABCDEFG', 'ABCDEFX')).toBeCloseTo(sim + 4 * 0.1 * (1 - sim), 10);
  });

  it('is 1 for identical strings and 0 for disjoint or empty ones', () => {
    expect(jaroWinkler('SMITH', 'SMITH')).toBe(1);
    expect(jaroWinkler('ABC', 'XYZ')).toBe(0);
    expect(jaroWinkler('', 'ABC')).toBe(0);
    expect(jaroWinkler('', '')).toBe(0);
  });

  it('treats precomposed and decomposed accents as the same character', () => {
    const precomposed = 'Ren\u00e9e';
    const decomposed = 'Rene\u0301e';
    expect(precomposed).not.toBe(decomposed);
    expect(jaroWinkler(precomposed, decomposed)).toBe(1);
  });

  it('counts an astral character once', () => {
    // Without code-point handling the emoji would be two units and shift every window.
    expect(jaroWinkler('a😀b', 'a😀b')).toBe(1);
    expect(jaroWinkler('a😀bc', 'a😀bd')).toBeCloseTo(jaroWinkler('axbc', 'axbd'), 10);
  });

  it('agrees with the code-unit variant on normalized ASCII keys', () => {
    const pairs = [
      ['martha', 'marhta'],
      ['obrien', 'obrian'],
      ['vanderberg', 'vandenberg'],
      ['catherine', 'kathryn'],
    ] as const;
    for (const [a, b] of pairs) expect(jaroWinklerKeys(a, b)).toBe(jaroWinkler(a, b));
  });

  it('is symmetric on random strings', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const word = (): string =>
      Array.from({ length: 1 + Math.floor(rand() * 10) }, () =>
        String.fromCharCode(97 + Math.floor(rand() * 6)),
      ).join('');
    for (let i = 0; i < 500; i++) {
      const a = word();
      const b = word();
      expect(jaroWinklerKeys(a, b)).toBeCloseTo(jaroWinklerKeys(b, a), 12);
    }
  });
});
