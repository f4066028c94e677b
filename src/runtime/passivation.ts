import type { ActorCell } from './actor-cell.js';
import type { Clock } from './clock.js';

/**
 * Passivates `cell` once it has handled nothing for `idleAfterMs` (checked
 * at most every `idleAfterMs`, so it may live up to twice as long).
 * @internal
 */
export function watchIdle(clock: Clock, cell: ActorCell, idleAfterMs: number, isLive: (cell: ActorCell) => boolean, passivate: (cell: ActorCell) => void): void {
  const check = (turnsAtLastCheck: number) => {
    clock.setTimer(idleAfterMs, () => {
      if (!isLive(cell)) return;
      if (cell.idle && cell.turns === turnsAtLastCheck) passivate(cell);
      else check(cell.turns);
    });
  };
  check(-1);
}

/** Passivates the least recently used idle cells (Map order is recency order) until at most `max` are live. @internal */
export function passivateLeastRecent(cells: ReadonlyMap<string, ActorCell>, max: number, spared: ActorCell, passivate: (cell: ActorCell) => void): void {
  for (const cell of cells.values()) {
    if (cells.size <= max) return;
    if (cell !== spared && cell.idle) passivate(cell);
  }
}
