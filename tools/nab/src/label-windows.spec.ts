import { describe, expect, it } from '@jest/globals';
import { labelWindowRows } from './label-windows.js';

describe('anomaly windows as NAB computes them', () => {
  it('gives each of n anomalies a window of floor(10% of the rows / n), centred on it', () => {
    // 4000 rows, 2 anomalies: windows of 200 rows, 100 either side.
    expect(labelWindowRows(4000, [1500, 3000])).toEqual([
      [1400, 1600],
      [2900, 3100],
    ]);
  });

  it('clips a window at the end of the file', () => {
    expect(labelWindowRows(4000, [3950])).toEqual([[3750, 3999]]);
  });

  it('drops a first window that starts inside the probationary period', () => {
    // Probation of 4000 rows: 600. A window starting at 500 is dropped.
    expect(labelWindowRows(4000, [600, 3000])).toEqual([[2900, 3100]]);
  });

  it('merges overlapping windows', () => {
    expect(labelWindowRows(4000, [2000, 2150])).toEqual([[1900, 2250]]);
  });

  it('gives a file without anomalies no window', () => {
    expect(labelWindowRows(4000, [])).toEqual([]);
  });
});
