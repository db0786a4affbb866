import { KILL_STAGES, type KillStage } from './aws-calls.ts';

export type KillQuotas = Record<KillStage, number>;

/** With few kills, these stages come first: the ones a crash is most likely to get wrong. */
const PRIORITY: readonly KillStage[] = [
  'split',
  'part-written',
  'merge',
  'mid-chunk',
  'processing-merge',
];
/** Shares of a larger budget; what is left over goes to kills at random moments. */
const SHARES: Partial<Record<KillStage, number>> = {
  split: 0.15,
  'part-written': 0.2,
  merge: 0.15,
  'mid-chunk': 0.2,
  // Each job offers one chance (one processing transition), so a small share.
  'processing-merge': 0.05,
};

/** How many of `total` kills to aim at each stage, so that every stage gets hit. */
export function planKills(total: number): KillQuotas {
  const quotas = Object.fromEntries(KILL_STAGES.map((stage) => [stage, 0])) as KillQuotas;
  if (total < PRIORITY.length) {
    for (const stage of PRIORITY.slice(0, total)) quotas[stage] = 1;
    return quotas;
  }
  let planned = 0;
  for (const stage of PRIORITY) {
    quotas[stage] = Math.max(1, Math.round(total * (SHARES[stage] ?? 0)));
    planned += quotas[stage];
  }
  quotas.random = total - planned;
  return quotas;
}
