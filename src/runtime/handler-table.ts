import type { ActorDefinition } from './define-actor.js';

/** A definition's own handlers, on an object with no prototype. @internal */
export type HandlerTable = Readonly<Record<string, unknown>>;

const tables = new WeakMap<ActorDefinition, HandlerTable>();

/**
 * The handlers of `definition`, copied once onto an object with no
 * prototype: a lookup finds own handlers only ('toString' or 'constructor'
 * finds nothing) with no `Object.hasOwn` call per message. The copy gets its
 * prototype set after it is built, which keeps it in V8's fast mode
 * (`Object.create(null)` would make it a dictionary, slower to read).
 * @internal
 */
export function handlerTable(definition: ActorDefinition): HandlerTable {
  let table = tables.get(definition);
  if (!table) {
    table = Object.freeze(Object.setPrototypeOf({ ...(definition.handlers as Record<string, unknown>) }, null) as HandlerTable);
    tables.set(definition, table);
  }
  return table;
}
