/**
 * Every error steward raises is a {@link StewardError}: a fixed `name`, a literal
 * `code` you can switch on, the ids involved in the message, and the original
 * error as `cause` when there is one.
 */

/** Options common to every steward error. */
export interface StewardErrorOptions {
  readonly cause?: unknown;
}

/**
 * Base class of all steward errors.
 *
 * @example
 * ```ts
 * try { await ref.ask('get', {}); }
 * catch (err) { if (!(err instanceof StewardError && err.code === 'ERR_ASK_TIMEOUT')) throw err; }
 * ```
 */
export abstract class StewardError extends Error {
  /** Stable, literal error code: safe to switch on, never reworded. */
  abstract readonly code: string;

  constructor(message: string, options: StewardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * Declares an error class with a fixed `name` and literal `code`, so each
 * error is one line and the codes cannot drift from the class names.
 * @internal
 */
export function errorClass<TCode extends string, TBase extends abstract new (message: string, options?: StewardErrorOptions) => StewardError>(
  name: string,
  code: TCode,
  base?: TBase,
) {
  abstract class Coded extends ((base ?? StewardError) as unknown as abstract new (message: string, options?: StewardErrorOptions) => StewardError) {
    readonly code: TCode = code;
  }
  Object.defineProperty(Coded, 'name', { value: name });
  Object.defineProperty(Coded.prototype, 'name', { value: name, enumerable: false });
  return Coded as unknown as new (message: string, options?: StewardErrorOptions) => InstanceType<TBase extends undefined ? typeof StewardError : TBase> & { readonly code: TCode };
}

/**
 * Base of the errors a handler throws to *refuse* a request (forbidden, not
 * found, wrong state). The asker gets the error itself, the actor is not
 * restarted and no crash is reported. Throw it before changing any state.
 *
 * @example
 * ```ts
 * declare const requester: string;
 * declare const collection: Collection;
 * if (requester !== collection.ownerId) throw new ForbiddenError(`${requester} does not own ${collection.id}`);
 * ```
 */
export abstract class RefusalError extends StewardError {}

/**
 * The requester may not do this (for example: not the owner).
 *
 * @example
 * ```ts
 * declare const requester: string;
 * declare const collection: Collection;
 * if (requester !== collection.ownerId) throw new ForbiddenError(`${requester} does not own ${collection.id}`);
 * ```
 */
export class ForbiddenError extends errorClass('ForbiddenError', 'ERR_FORBIDDEN', RefusalError) {}
/**
 * What the request names does not exist.
 *
 * @example
 * ```ts
 * declare const collectionId: string;
 * const record = await ctx.persistence.get(COLLECTIONS, collectionId);
 * if (!record) throw new NotFoundError(`collection '${collectionId}' does not exist`);
 * ```
 */
export class NotFoundError extends errorClass('NotFoundError', 'ERR_NOT_FOUND', RefusalError) {}
/**
 * The request does not fit the entity's current state (for example: resume a completed cook).
 *
 * @example
 * ```ts
 * if (ctx.state.status !== 'paused') throw new InvalidStateError(`cannot resume a ${ctx.state.status} cook`);
 * ```
 */
export class InvalidStateError extends errorClass('InvalidStateError', 'ERR_INVALID_STATE', RefusalError) {}

/**
 * An `ask` got no reply within its timeout. `handled` says what became of
 * the message: `false` if the actor had not taken it yet (it never will: a
 * timed-out ask is dropped unhandled, so retrying is safe), `'unknown'` if
 * its handler had started (it may have changed state, or may still).
 *
 * @example
 * ```ts
 * await ref.ask('get', {}, { timeoutMs: 100 }).catch((error) => {
 *   if (error instanceof AskTimeoutError && error.handled === false) console.log('never handled: safe to ask again');
 * });
 * ```
 */
export class AskTimeoutError extends errorClass('AskTimeoutError', 'ERR_ASK_TIMEOUT') {
  readonly handled: false | 'unknown';

  constructor(message: string, options: StewardErrorOptions & { readonly handled?: false | 'unknown' } = {}) {
    super(message, options);
    this.handled = options.handled ?? 'unknown';
  }
}
/**
 * The caller's `AbortSignal` fired before the reply arrived.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const status = cook.ask('status', {}, { signal: controller.signal });
 * controller.abort(); // status rejects with AbortedError (code 'ERR_ABORTED'), the signal's reason as `cause`
 * ```
 */
export class AbortedError extends errorClass('AbortedError', 'ERR_ABORTED') {}
/**
 * The actor stopped (or was stopped for good) before it could handle the message.
 *
 * @example
 * ```ts
 * await system.stop(cook);
 * await cook.ask('status', {}).catch((error) => { if (error instanceof ActorStoppedError) console.log(`${cook} is stopped for good`); });
 * ```
 */
export class ActorStoppedError extends errorClass('ActorStoppedError', 'ERR_ACTOR_STOPPED') {}
/**
 * The actor's mailbox is at capacity and its overflow policy is `reject`; an
 * `ask` whose message another policy dropped (`drop-oldest`, `drop-newest`)
 * rejects with it too.
 *
 * @example
 * ```ts
 * const statusOf = (error: unknown) => (error instanceof MailboxFullError ? 503 : 500); // tell throws it at once; ask rejects
 * ```
 */
export class MailboxFullError extends errorClass('MailboxFullError', 'ERR_MAILBOX_FULL') {}
/**
 * The handler threw or rejected; the original error is the `cause`.
 *
 * @example
 * ```ts
 * await cook.ask('start', { requester: 'ann' }).catch((error) => {
 *   if (error instanceof HandlerFailedError) console.error('the cook handler crashed', error.cause);
 * });
 * ```
 */
export class HandlerFailedError extends errorClass('HandlerFailedError', 'ERR_HANDLER_FAILED') {}
/**
 * The system is shutting down or stopped and accepts no new work.
 *
 * @example
 * ```ts
 * await system.shutdown({ deadlineMs: 5_000 });
 * await cook.ask('status', {}).catch((error) => { if (error.code === 'ERR_SYSTEM_STOPPED') console.log('too late: shut down'); });
 * ```
 */
export class SystemStoppedError extends errorClass('SystemStoppedError', 'ERR_SYSTEM_STOPPED') {}
/**
 * A definition or option is unusable (for example two actor types with one name).
 *
 * @example
 * ```ts
 * const LegacyCook = defineActor({ ...Cook, handlers: { ...Cook.handlers } }); // a second definition named 'cook'
 * system.ref(Cook, cookKey('autumn', 'ann'));
 * system.ref(LegacyCook, cookKey('autumn', 'ann')); // throws InvalidConfigError (code 'ERR_INVALID_CONFIG')
 * ```
 */
export class InvalidConfigError extends errorClass('InvalidConfigError', 'ERR_INVALID_CONFIG') {}

/** One problem found while validating a message, as data. */
export interface MessageIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code: string;
}

/**
 * Declares an error about input that failed its schema: like
 * {@link errorClass}, plus the zod issues as data in `issues`.
 * @internal
 */
export function issuesErrorClass<TCode extends string>(name: string, code: TCode) {
  return class extends errorClass(name, code) {
    readonly issues: readonly MessageIssue[];
    constructor(message: string, issues: readonly MessageIssue[], options: StewardErrorOptions = {}) {
      super(message, options);
      this.issues = issues;
    }
  };
}

/**
 * A message was refused at the boundary: unknown type or a payload that does not
 * match its zod schema. Nothing was delivered and no state changed.
 *
 * @example
 * ```ts
 * try { ref.tell('add', JSON.parse('{"by":"x"}')); } catch (error) { if (error instanceof InvalidMessageError) console.log(error.issues); }
 * ```
 */
export class InvalidMessageError extends issuesErrorClass('InvalidMessageError', 'ERR_INVALID_MESSAGE') {}

/**
 * An actor key must be a non-empty string.
 *
 * @example
 * ```ts
 * system.ref(Counter, ''); // throws InvalidKeyError (code 'ERR_INVALID_KEY')
 * ```
 */
export class InvalidKeyError extends errorClass('InvalidKeyError', 'ERR_INVALID_KEY') {}

/**
 * An actor's `ctx.save(alsoWrite)` named a write that would overwrite an
 * actor's state record without its revision: its own record (which `save`
 * already writes), or another key in an actor type's state collection with
 * no `expectedRevision`. Nothing was written.
 *
 * @example
 * ```ts
 * declare const otherCook: string;
 * declare const value: CookState;
 * await ctx.save([{ op: 'put', collection: COOKS, key: otherCook, value }]).catch((error) => error.code); // 'ERR_STATE_WRITE_REFUSED'
 * ```
 */
export class StateWriteRefusedError extends errorClass('StateWriteRefusedError', 'ERR_STATE_WRITE_REFUSED') {}
