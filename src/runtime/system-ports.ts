/** How a system hands its cells the ports it was given, with a clear error for one it lacks. @internal */
import { InvalidConfigError } from '../errors.js';
import type { StatePort, TaskPoolPort } from './ports/index.js';

/** The pool registered under `name`; `ERR_INVALID_CONFIG` naming the known ones if there is none. @internal */
export function poolNamed(pools: Readonly<Record<string, TaskPoolPort>>, name: string): TaskPoolPort {
  const pool = Object.hasOwn(pools, name) ? pools[name] : undefined;
  if (!pool) throw new InvalidConfigError(`no task pool named '${name}' (known: ${Object.keys(pools).join(', ') || 'none'})`);
  return pool;
}

/** The system's state port; `ERR_INVALID_CONFIG` if it has none. @internal */
export function requirePersistence(persistence: StatePort | undefined): StatePort {
  if (!persistence) throw new InvalidConfigError('this actor system has no persistence: pass `persistence` to new ActorSystem()');
  return persistence;
}
