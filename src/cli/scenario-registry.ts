import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { COOK_SCENARIOS } from '../actors/cook/simulation/scenarios.js';
import { QUEUE_SCENARIOS, REGISTRY_SCENARIOS } from '../actors/jobs/index.js';
import { COOKIE_SCENARIOS } from '../actors/cookies/index.js';
import { CLUSTER_SCENARIOS } from '../cluster/ownership-scenario.js';
import type { Scenario } from '../runtime/simulator/index.js';

/** Scenarios built into steward, by name. */
export const BUILT_IN_SCENARIOS: ReadonlyMap<string, Scenario<any>> = new Map(
  [...COOK_SCENARIOS, ...REGISTRY_SCENARIOS, ...QUEUE_SCENARIOS, ...COOKIE_SCENARIOS, ...CLUSTER_SCENARIOS].map((scenario) => [scenario.name, scenario as Scenario<any>]),
);

/**
 * The scenarios a module exports (any export that looks like a scenario, or
 * an array of them), for `--module`.
 */
export async function loadScenarioModule(path: string): Promise<Map<string, Scenario<any>>> {
  const exported = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  const found = new Map<string, Scenario<any>>();
  const add = (value: unknown) => {
    if (isScenario(value)) found.set(value.name, value);
  };
  for (const value of Object.values(exported)) {
    if (Array.isArray(value)) value.forEach(add);
    else add(value);
  }
  return found;
}

function isScenario(value: unknown): value is Scenario<any> {
  const candidate = value as Partial<Scenario<unknown>> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.name === 'string' && typeof candidate.setup === 'function' && Array.isArray(candidate.actions);
}
