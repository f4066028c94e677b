import { describe, expect, it } from 'vitest';
import { ActorSystem } from '../../src/index.js';
import { prometheusText } from '../../src/operator/index.js';

describe('prometheusText', () => {
  it('writes HELP/TYPE per metric, histograms in seconds with +Inf, and escapes label values', async () => {
    const system = new ActorSystem();
    try {
      const text = prometheusText(system.metrics(), [{ name: 'queues', view: { counts: { 'a"b\\c\nd': 3 }, tables: [], alerts: [] } }]);
      expect(text).toContain('# TYPE steward_turn_duration_seconds histogram\n');
      expect(text).toContain('steward_turn_duration_seconds_bucket{le="0.00005"} 0\n');
      expect(text).toContain('steward_turn_duration_seconds_bucket{le="+Inf"} 0\n');
      expect(text).toContain('steward_turn_duration_seconds_count 0\n');
      expect(text).toContain('steward_domain_count{domain="queues",name="a\\"b\\\\c\\nd"} 3\n');
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) steward_\w+ .+|steward_\w+(\{.*\})? (-?[\d.e+-]+|\+Inf|NaN))$/);
    } finally {
      await system.shutdown();
    }
  });
});
