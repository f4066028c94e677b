/**
 * The runtime's diagnostics channels (`node:diagnostics_channel`), so tracing
 * and APM agents can subscribe without steward depending on them. Every event
 * of `system.events` is also published on `steward:<event>` (for example
 * `steward:actor.crashed`), with the same payload; two more channels carry
 * timings. A message is built and published only while a channel has
 * subscribers (`channel.hasSubscribers`), so an unobserved runtime pays one
 * property read per event.
 *
 * Other layers publish on their own names (channels are global by name):
 * `steward:persistence.commit` (the persistence actor) and `steward:pool.task`
 * (task pools).
 */
import { channel, type Channel } from 'node:diagnostics_channel';
import type { RuntimeEvents } from './events.js';

/**
 * One turn handled: `{ type, key, messageType, durationMs }` (`messageType`
 * undefined for `onTerminated`), published when the turn's promise and its
 * commit have settled.
 */
export const TURN_CHANNEL = 'steward:actor.turn';

/** One commit through the system's state port: `{ writes, durationMs, ok, code }` (`code` of the error when `ok` is false). */
export const COMMIT_CHANNEL = 'steward:actor.commit';

/** The channel name of a runtime event: `steward:actor.crashed` for `actor.crashed`. */
export function runtimeChannelName(event: keyof RuntimeEvents): string {
  return `steward:${event}`;
}

/**
 * Message of {@link TURN_CHANNEL}.
 *
 * @example
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * declare const histogram: { record(value: number, labels: { type: string }): void };
 * diagnostics_channel.subscribe(TURN_CHANNEL, (message) => {
 *   const { type, durationMs } = message as TurnMessage;
 *   histogram.record(durationMs, { type });
 * });
 * ```
 */
export interface TurnMessage {
  readonly type: string;
  readonly key: string;
  readonly messageType: string | undefined;
  readonly durationMs: number;
}

/**
 * Message of {@link COMMIT_CHANNEL}.
 *
 * @example
 * ```ts
 * import diagnostics_channel from 'node:diagnostics_channel';
 * const alerts: string[] = [];
 * diagnostics_channel.subscribe(COMMIT_CHANNEL, (message) => {
 *   const { ok, durationMs } = message as CommitMessage;
 *   if (!ok) alerts.push(`commit failed after ${durationMs} ms`);
 * });
 * ```
 */
export interface CommitMessage {
  readonly writes: number;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly code: string | undefined;
}

const eventChannels = new Map<string, Channel>();

/** The channel of a runtime event (made once per name). @internal */
export function runtimeChannel(event: keyof RuntimeEvents): Channel {
  let found = eventChannels.get(event);
  if (!found) eventChannels.set(event, (found = channel(runtimeChannelName(event))));
  return found;
}

/** @internal */
export const turnChannel: Channel = channel(TURN_CHANNEL);
/** @internal */
export const commitChannel: Channel = channel(COMMIT_CHANNEL);
