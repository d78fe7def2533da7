import { fairExportPriority } from '../../server/exports/export-slots';

describe('fair export priority', () => {
  it('gives a tenant’s first unfinished export the highest priority, and each later one the next', () => {
    expect([0, 1, 2, 19].map(fairExportPriority)).toEqual([1, 2, 3, 20]);
  });

  it('stays within the priorities BullMQ accepts', () => {
    expect(fairExportPriority(10_000_000)).toBe(2_097_152);
    expect(fairExportPriority(-3)).toBe(1);
  });
});
