import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseSize } from '../../src/shared/units.js';

describe('units', () => {
  it('parses durations', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5')).toBe(5000);
    expect(parseDuration(2)).toBe(2000);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('5x')).toBeNull();
  });
  it('parses sizes', () => {
    expect(parseSize('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('500KB')).toBe(500_000);
    expect(parseSize(100)).toBe(100);
    expect(parseSize('lots')).toBeNull();
  });
  it('formats durations', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m05s');
    expect(formatDuration(7_380_000)).toBe('2h03m');
  });
});
