// The training history of the report: the model's metadata is the record; the log
// beside it adds test loss when, and only when, it is of the same run.
import { describe, expect, it } from 'vitest';
import { parseTrainingMetadata, parseTrainLog, trainingHistory } from '../../src/report/curves.js';

const META = JSON.stringify([
  { epoch: 1, trainLoss: 0.27312, testAccuracy: 0.9595 },
  { epoch: 2, trainLoss: 0.11571, testAccuracy: 0.9701 },
]);
const line = (o: object) => `${JSON.stringify(o)}\n`;
const LOG = line({ epoch: 1, steps: 938, seconds: 1.5, trainLoss: 0.273118, testLoss: 0.13, testAccuracy: 0.9595, time: 't' }) +
  line({ epoch: 2, steps: 938, seconds: 1.4, trainLoss: 0.115713, testLoss: 0.09, testAccuracy: 0.9701, time: 't' });

describe('trainingHistory', () => {
  it('reads the model\'s training metadata; no metadata, no epochs', () => {
    expect(parseTrainingMetadata(META)).toEqual([
      { epoch: 1, trainLoss: 0.27312, testAccuracy: 0.9595 },
      { epoch: 2, trainLoss: 0.11571, testAccuracy: 0.9701 },
    ]);
    expect(trainingHistory(undefined)).toEqual({ epochs: [], notes: [] });
  });

  it('malformed metadata is an error that says what is wrong', () => {
    expect(() => parseTrainingMetadata('{oops')).toThrow('the model\'s "training" metadata is not JSON');
    expect(() => parseTrainingMetadata('{"epoch":1}')).toThrow('is not a list of epochs');
    expect(() => parseTrainingMetadata('[{"epoch":0}]')).toThrow('entry 0 has epoch 0, not a positive integer');
    expect(() => parseTrainingMetadata('[{"epoch":1,"trainLoss":"low"}]')).toThrow('entry 0 has trainLoss "low", not a finite number');
  });

  it('adds the log\'s test loss and exact values when the log is of the same run', () => {
    const h = trainingHistory(META, { text: LOG, file: 'train-log.jsonl' });
    expect(h.notes).toEqual([]);
    expect(h.epochs).toEqual([
      { epoch: 1, trainLoss: 0.273118, testLoss: 0.13, testAccuracy: 0.9595, seconds: 1.5 },
      { epoch: 2, trainLoss: 0.115713, testLoss: 0.09, testAccuracy: 0.9701, seconds: 1.4 },
    ]);
  });

  it('an epoch logged twice (a resumed run) counts once, the last time', () => {
    const resumed = LOG + line({ epoch: 2, trainLoss: 0.115709, testLoss: 0.08, testAccuracy: 0.9701 });
    expect(parseTrainLog(resumed, 'log')).toEqual({ rows: expect.arrayContaining([expect.objectContaining({ epoch: 2, testLoss: 0.08 })]) });
    expect((parseTrainLog(resumed, 'log') as { rows: unknown[] }).rows).toHaveLength(2);
  });

  it('leaves out, with a note, a log of another run', () => {
    const other = LOG.replace('0.115713', '0.2');
    expect(trainingHistory(META, { text: other, file: 'out/train-log.jsonl' })).toEqual({
      epochs: parseTrainingMetadata(META),
      notes: ['out/train-log.jsonl does not match the model\'s training metadata (a log of another run?); it is not used'],
    });
    const longer = LOG + line({ epoch: 3, trainLoss: 0.08, testAccuracy: 0.975 });
    expect(trainingHistory(META, { text: longer, file: 'f' }).notes).toHaveLength(1);
  });

  it('leaves out, naming the line and the problem, a log that is not JSON lines', () => {
    const cut = `${LOG}{"epoch":3,"trainL`;
    expect(trainingHistory(META, { text: cut, file: 'a/train-log.jsonl' })).toEqual({
      epochs: parseTrainingMetadata(META),
      notes: ['a/train-log.jsonl line 3 is not JSON ({"epoch":3,"trainL…); the log is not used'],
    });
    expect(trainingHistory(META, { text: line({ epoch: 'one' }), file: 'f' }).notes).toEqual(['f line 1 has epoch "one", not a positive integer; the log is not used']);
  });

  it('uses the log alone for a model without training metadata', () => {
    expect(trainingHistory(undefined, { text: LOG, file: 'f' }).epochs.map((e) => e.testLoss)).toEqual([0.13, 0.09]);
  });
});
