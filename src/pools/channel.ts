/**
 * The progress channel: comlink over a MessagePort that travels with the task.
 * comlink speaks DOM `EventTarget`s and ships no Node types under NodeNext, so
 * the adapter is ours; comlink also leaves calls pending forever when the other
 * end goes away (comlink #428, #601), so {@link connectChannel} turns a closed
 * port into rejected calls.
 */
import type { MessagePort } from 'node:worker_threads';
import { expose, wrap, type Endpoint, type Remote } from 'comlink';
import { ChannelClosedError } from './errors.js';

type Listener = (event: { data: unknown }) => void;
type ListenerLike = Listener | { handleEvent: Listener };

/**
 * A comlink {@link Endpoint} over a Node `MessagePort`, delivering `{ data }`
 * events the way comlink's browser code expects.
 * @internal
 */
export function portEndpoint(port: MessagePort): Endpoint {
  const wrapped = new Map<ListenerLike, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: readonly unknown[]) => {
      port.postMessage(message, transfer as never);
    },
    addEventListener: (_type: string, listener: unknown) => {
      const target = listener as ListenerLike;
      const onMessage = (data: unknown): void => {
        if (typeof target === 'function') target({ data });
        else target.handleEvent({ data });
      };
      wrapped.set(target, onMessage);
      port.on('message', onMessage);
    },
    removeEventListener: (_type: string, listener: unknown) => {
      const onMessage = wrapped.get(listener as ListenerLike);
      if (!onMessage) return;
      wrapped.delete(listener as ListenerLike);
      port.off('message', onMessage);
    },
  } as Endpoint;
}

/**
 * Serves `handlers` on `port` (the owner's side). Close the port when the task
 * settles; the task's side then sees `ERR_CHANNEL_CLOSED` on any further call.
 * @internal
 */
export function exposeChannel(port: MessagePort, handlers: object): void {
  expose(handlers, portEndpoint(port));
}

/** Methods of `T` that return promises, as a connected channel offers them. */
export type ChannelCalls<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => unknown ? (...args: A) => Promise<void> : never;
};

/**
 * Connects to handlers served on the other end of `port` and returns functions
 * that call them. A call made after the port closed, or pending when it closes
 * (the owner closed it, or the owner's thread died), rejects with
 * `ERR_CHANNEL_CLOSED` instead of hanging.
 */
export function connectChannel<T extends object>(
  port: MessagePort,
  label: string,
  methods: readonly (keyof T & string)[],
): { readonly calls: ChannelCalls<T>; close(): void } {
  const remote = wrap<T>(portEndpoint(port)) as Remote<Record<string, (...args: unknown[]) => Promise<void>>>;
  let closed = false;
  let rejectPending: (error: Error) => void = () => {};
  const closedPromise = new Promise<never>((_resolve, reject) => {
    rejectPending = reject;
  });
  closedPromise.catch(() => {}); // observed through the races below only
  const onClose = (): void => {
    closed = true;
    rejectPending(new ChannelClosedError(`progress channel of ${label} is closed: its owner is gone`));
  };
  port.once('close', onClose);
  const calls: Record<string, (...args: unknown[]) => Promise<void>> = {};
  for (const method of methods) {
    calls[method] = (...args: unknown[]) => {
      if (closed) return closedPromise;
      const call = (remote[method] as (...a: unknown[]) => Promise<void>)(...args);
      return Promise.race([call, closedPromise]);
    };
  }
  return {
    calls: calls as ChannelCalls<T>,
    close() {
      port.off('close', onClose);
      onClose();
      port.close();
    },
  };
}
