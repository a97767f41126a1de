/**
 * A request left out entirely gets the same defaults as an empty one: the schemas of channels
 * whose fields have defaults end in `.prefault({})`, never in an `.optional()` that would let
 * `undefined` through with no defaults at all.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, DEFAULT_TIME_BUDGET_SECONDS, requestSchemas, type Channel } from '../../../src/shared/contract';

const trainingDefaults = {
  fineTune: 'auto',
  timeBudgetSeconds: DEFAULT_TIME_BUDGET_SECONDS,
  headTraining: 'logistic-cv',
  seed: DEFAULT_SEED,
  head: 'gap'
};

const withDefaults: Partial<Record<Channel, object>> = {
  'training:start': trainingDefaults,
  'training:plan': trainingDefaults,
  'predictions:list': { order: 'least-certain', offset: 0, limit: 200 },
  'folders:rescan': {},
  'training:cancel': {},
  'training:predict': {}
};

describe('request defaults', () => {
  it.each(Object.entries(withDefaults))('%s: an omitted request is parsed with its defaults', (channel, expected) => {
    const schema = requestSchemas[channel as Channel];
    expect(schema.parse(undefined)).toEqual(expected);
    expect(schema.parse({})).toEqual(expected);
  });

  it('every channel that may be called without a request parses it as its empty request', () => {
    for (const [channel, schema] of Object.entries(requestSchemas)) {
      const omitted = schema.safeParse(undefined);
      const empty = schema.safeParse({});
      // Channels that need a request (photos:page, labels:assign, …) refuse both; nothing to compare.
      if (!omitted.success || !empty.success || Object.keys(empty.data as object).length === 0) continue;
      expect({ channel, parsed: omitted.data }).toEqual({ channel, parsed: empty.data });
    }
  });
});
