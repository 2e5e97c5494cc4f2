/**
 * The 平安指数's weights and scoring curves are data (indicators.json), validated here once at
 * load so a bad edit stops the server at start instead of skewing every published month.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Piecewise-linear curve: [x, score] points with strictly increasing x, scores 0–100. */
const curveSchema = z
  .array(z.tuple([z.number(), z.number().min(0).max(100)]))
  .min(2)
  .refine((pts) => pts.every((p, i) => i === 0 || p[0] > pts[i - 1]![0]), 'x must increase strictly');

/** A field of a top-level month or open hash (`i`, `d`, `c:criminal`, `o:resolved`, `od` …). */
const fieldSchema = z.string().regex(/^[a-z]+(:[a-z_0-9]+)?$/, 'must be a counter field like c:criminal');

const share = z.number().min(0).max(1);

const countSchema = z.strictObject({
  id: z.string().regex(/^[a-z_]+$/),
  name: z.string().min(1),
  kind: z.literal('count'),
  fields: z.array(fieldSchema).min(1),
  weight: share,
  /** Added to both sides of a ratio so that 0 vs 0.2 expected is not "infinitely" better or worse. */
  pseudoCount: z.number().positive(),
  components: z.strictObject({ self: share, peer: share }),
  curves: z.strictObject({ self: curveSchema, peer: curveSchema }),
});

const rateSchema = z.strictObject({
  id: z.string().regex(/^[a-z_]+$/),
  name: z.string().min(1),
  kind: z.literal('rate'),
  /** `month`: this month's cases; `open`: the open backlog now (only known live). */
  source: z.enum(['month', 'open']),
  numerator: z.array(fieldSchema).min(1),
  denominator: z.array(fieldSchema).min(1),
  weight: share,
  /** Rate assumed when peers give none; small regions are pulled towards it (or the peer median). */
  prior: share,
  /** How many cases the prior is worth. */
  priorWeight: z.number().positive(),
  components: z.strictObject({ peer: share, absolute: share }),
  curves: z.strictObject({ peer: curveSchema, absolute: curveSchema }),
});

export const indexConfigSchema = z
  .strictObject({
    version: z.number().int().positive(),
    /** Trailing months a region's own baseline averages over. */
    baselineMonths: z.number().int().min(1).max(12),
    /** Fewer days of data than this in the baseline months and the region's own baseline is left out. */
    minBaselineDays: z.number().min(0).max(366),
    /** Fewer peers than this and the peer comparison is left out (a province has none). */
    minPeers: z.number().int().min(2),
    /** A month frozen later than this after its end has no overdue rate: the open backlog has moved on. */
    openGraceDays: z.number().min(0).max(31),
    /** How many villages an urban community (社区) counts for when sizing a region for its peers. */
    communityWeight: z.number().min(1).max(10),
    indicators: z.array(z.discriminatedUnion('kind', [countSchema, rateSchema])).min(1),
  })
  .refine((c) => new Set(c.indicators.map((i) => i.id)).size === c.indicators.length, 'indicator ids must be unique')
  .refine((c) => Math.abs(c.indicators.reduce((s, i) => s + i.weight, 0) - 1) < 1e-6, 'weights must add up to 1')
  .refine(
    (c) => c.indicators.every((i) => Object.values(i.components).some((w) => w > 0)),
    'every indicator needs a component with a positive weight',
  );

export type IndexConfig = z.output<typeof indexConfigSchema>;
export type IndicatorConfig = IndexConfig['indicators'][number];
export type CountIndicator = Extract<IndicatorConfig, { kind: 'count' }>;
export type RateIndicator = Extract<IndicatorConfig, { kind: 'rate' }>;
export type Curve = z.output<typeof curveSchema>;

const DEFAULT_FILE = new URL('./indicators.json', import.meta.url);

/** Parses a config object; throws with every problem named. */
export function parseIndexConfig(raw: unknown, what = 'indicators.json'): IndexConfig {
  const r = indexConfigSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${what} is invalid: ${problems.join('; ')}`);
  }
  return r.data;
}

export function loadIndexConfig(file: URL | string = DEFAULT_FILE): IndexConfig {
  return parseIndexConfig(JSON.parse(readFileSync(file, 'utf8')), String(file));
}

/** Month-hash fields and open-hash fields the indicators read. */
export function fieldsRead(config: IndexConfig): { month: string[]; open: string[] } {
  const month = new Set<string>();
  const open = new Set<string>();
  for (const i of config.indicators) {
    if (i.kind === 'count') i.fields.forEach((f) => month.add(f));
    else [...i.numerator, ...i.denominator].forEach((f) => (i.source === 'open' ? open : month).add(f));
  }
  return { month: [...month], open: [...open] };
}
