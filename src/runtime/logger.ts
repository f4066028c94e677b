/**
 * steward's own messages through a pino-compatible logger: crashes,
 * restarts, dead letters, overflows, failed tasks, a lost store, failing
 * listeners. Each line carries ids, message types and codes, never a message
 * payload or a foreign error's text (which may hold what it was given): an
 * operator who needs the error itself subscribes to `system.events`.
 */
import type { RuntimeEvents } from './events.js';

/**
 * What steward needs of a logger: pino's shape (`logger.warn(fields, message)`),
 * which bunyan, winston adapters and `console`-backed shims also offer.
 *
 * @example
 * ```ts
 * // pino's default export fits as it is: `new ActorSystem({ logger: pino() })`
 * const logger: Logger = {
 *   info: (fields, message) => console.info(message, fields),
 *   warn: (fields, message) => console.warn(message, fields),
 *   error: (fields, message) => console.error(message, fields),
 *   child: () => logger,
 * };
 * new ActorSystem({ logger }); // lines carry { component: 'steward', event, type, key, code, … }
 * ```
 */
export interface Logger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** The `code` of an error when it has a string one, else its class name. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}

/** Logs the runtime events an operator acts on; the rest (started, stopped by request) stay on the bus. @internal */
export function logRuntimeEvent<K extends keyof RuntimeEvents>(logger: Logger, event: K, payload: RuntimeEvents[K]): void {
  const fields = payload as RuntimeEvents[keyof RuntimeEvents];
  switch (event) {
    case 'actor.crashed': {
      const { type, key, messageType, error } = fields as RuntimeEvents['actor.crashed'];
      logger.error({ event, type, key, messageType, code: codeOf(error) }, `actor ${type}/${key} crashed${messageType ? ` handling '${messageType}'` : ''}`);
      return;
    }
    case 'actor.restarted': {
      const { type, key, attempt, delayMs } = fields as RuntimeEvents['actor.restarted'];
      logger.warn({ event, type, key, attempt, delayMs }, `actor ${type}/${key} restarted (attempt ${attempt})`);
      return;
    }
    case 'actor.stopped': {
      const { type, key, reason } = fields as RuntimeEvents['actor.stopped'];
      if (reason === 'failed') logger.warn({ event, type, key, reason }, `actor ${type}/${key} stopped by its supervisor`);
      return;
    }
    case 'dead.letter': {
      const { type, key, messageType, reason } = fields as RuntimeEvents['dead.letter'];
      logger.warn({ event, type, key, messageType, reason }, `dead letter: '${messageType}' to ${type}/${key} (${reason})`);
      return;
    }
    case 'mailbox.overflow': {
      const { type, key, messageType, policy, depth } = fields as RuntimeEvents['mailbox.overflow'];
      logger.warn({ event, type, key, messageType, policy, depth }, `mailbox of ${type}/${key} overflowed (${policy}, ${depth} queued)`);
      return;
    }
    case 'task.failed': {
      const { type, key, pool, task, code, message } = fields as RuntimeEvents['task.failed'];
      logger.warn({ event, type, key, pool, task, code }, `task ${task} of ${type}/${key} failed on pool ${pool}: ${message}`);
      return;
    }
    case 'persistence.lost': {
      const { code, message } = fields as RuntimeEvents['persistence.lost'];
      logger.error({ event, code }, `the store became unusable, the system shuts down: ${message}`);
      return;
    }
    case 'actor.deactivated': {
      const { type, key, code } = fields as RuntimeEvents['actor.deactivated'];
      logger.warn({ event, type, key, code }, `actor ${type}/${key} deactivated: this node no longer owns it (${code})`);
      return;
    }
    case 'pool.incident': {
      const { pool, code } = fields as RuntimeEvents['pool.incident'];
      logger.warn({ event, pool, code }, `pool ${pool} had an incident (${code})`);
      return;
    }
    case 'actor.started':
      return;
  }
}

/** A listener of `system.events` threw: logged with its code, the runtime went on. @internal */
export function logListenerError(logger: Logger, error: unknown, event: keyof RuntimeEvents): void {
  logger.warn({ event, code: 'ERR_LISTENER_FAILED', errorCode: codeOf(error) }, `a listener of '${event}' threw (the runtime went on)`);
}
