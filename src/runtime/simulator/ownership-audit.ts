/**
 * What a simulated cluster's lease table and store saw, checked against the
 * ownership rules: each (entity, token) names one node, tokens of an entity
 * strictly increase, and no write lands under a token that no longer stands.
 * Recorded where the database acts (a statement runs, a commit lands), so it
 * does not trust what any node believes.
 */
import type { Fence } from '../ports/index.js';

/** The audit of one simulated run. @internal */
export class OwnershipAudit {
  /** Writes refused because their token no longer stood (`ERR_FENCED`). */
  fenced = 0;
  /** Fenced writes that landed under a standing token. */
  accepted = 0;
  /** Every broken rule, first one first. */
  readonly broken: string[] = [];
  readonly #tokens = new Map<string, { readonly token: number; readonly node: string }>();

  /** The table granted `node` the lease on `(type, key)` at `token`. */
  acquired(type: string, key: string, node: string, token: number): void {
    const id = `${type}/${key}`;
    const last = this.#tokens.get(id);
    if (last && token <= last.token) {
      this.broken.push(`${id}: ${node} got token ${token}, but ${last.node} already held token ${last.token} (tokens must strictly increase)`);
    }
    this.#tokens.set(id, { token, node });
  }

  /** A fenced write under `fence` landed; `refusal` is what the table said of its token at that moment (undefined: it stood). */
  landed(fence: Fence, refusal: Error | undefined): void {
    if (refusal) this.broken.push(`${fence.type}/${fence.key}: a write of ${fence.node} under token ${fence.token} was accepted after its lease was gone (${refusal.message})`);
    else this.accepted++;
  }

  /** The first broken rule, if any. */
  violation(): string | undefined {
    return this.broken[0];
  }
}
