import { describe, expect, it } from '@jest/globals';
import { ThresholdChangeReason, ThresholdLearner } from './threshold-learner.js';

const config = { initial: 2, min: 1.5, max: 3, step: 0.5 };

describe('ThresholdLearner', () => {
  it('raises the threshold after an alarm whose remedy was ineffective and that did not recur, recording the change', () => {
    const learner = new ThresholdLearner(config);
    const change = learner.recordOutcome({ series: 'api/latency', time: 1000, remedyEffective: false, recurred: false });
    expect(change).toEqual({ series: 'api/latency', old: 2, new: 2.5, reason: ThresholdChangeReason.falseAlarm, time: 1000 });
    expect(learner.thresholdFor('api/latency')).toBe(2.5);
    expect(learner.thresholdFor('other')).toBe(2);
  });

  it('lowers the threshold when the problem recurred or was missed', () => {
    const learner = new ThresholdLearner(config);
    expect(learner.recordOutcome({ series: 's', time: 1, remedyEffective: true, recurred: true })?.reason).toBe(
      ThresholdChangeReason.recurred,
    );
    expect(learner.thresholdFor('s')).toBe(1.5);
    expect(learner.recordMissed('t', 2)).toMatchObject({ old: 2, new: 1.5, reason: ThresholdChangeReason.missed });
  });

  it('stays within its bounds and records nothing when a change would cross them', () => {
    const learner = new ThresholdLearner(config);
    const changes = Array.from({ length: 5 }, (_, i) =>
      learner.recordOutcome({ series: 's', time: i, remedyEffective: false, recurred: false }),
    );
    expect(changes.filter((change) => change !== undefined)).toHaveLength(2);
    expect(learner.thresholdFor('s')).toBe(3);
  });

  it('leaves the threshold alone after a confirmed alarm', () => {
    const learner = new ThresholdLearner(config);
    expect(learner.recordOutcome({ series: 's', time: 1, remedyEffective: true, recurred: false })).toBeUndefined();
    expect(learner.thresholdFor('s')).toBe(2);
  });

  it('resumes from a checkpoint with the learned thresholds', () => {
    const learner = new ThresholdLearner(config);
    learner.recordOutcome({ series: 's', time: 1, remedyEffective: false, recurred: false });
    const restored = new ThresholdLearner(
      config,
      JSON.parse(JSON.stringify(learner.snapshot())) as ReturnType<ThresholdLearner['snapshot']>,
    );
    expect(restored.thresholdFor('s')).toBe(2.5);
  });
});
