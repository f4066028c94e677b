/**
 * How the nodes of a simulated cluster reach each other: the real `Router`
 * of each node runs unchanged over a directory and a transport made of the
 * world's steps. A forward to a dead node is refused before it is sent (as a
 * refused connection is); one to a frozen node waits until it thaws; the
 * sender gives up after the request's own bound (undici's headers timeout),
 * not knowing whether it was handled. The request and its answer cross as
 * JSON, as on the wire.
 * @internal
 */
import { ForwardFailedError } from '../../cluster/errors.js';
import type { ForwardResult } from '../../cluster/forward-client.js';
import { forwardRequest, forwardResponse, type ForwardRequest, type ForwardResponse } from '../../cluster/forward-protocol.js';
import type { ForwardTransport, NodeDirectory } from '../../cluster/router.js';
import type { Clock } from '../clock.js';
import type { NodeProcess } from './sim-node.js';

/** One node as the others reach it. @internal */
export interface ReachableNode {
  readonly id: string;
  readonly process: NodeProcess;
  serve(request: ForwardRequest): Promise<ForwardResponse>;
}

/** Every node incarnation ever booted is registered under its id, as `steward_nodes` keeps a dead node's row until it is swept. @internal */
export class SimulatedDirectory implements NodeDirectory {
  readonly #nodes = new Map<string, ReachableNode>();
  /** Forwards served so far, by message type (a scenario shows its schedules forwarded at all). */
  readonly served = new Map<string, number>();

  register(node: ReachableNode): void {
    this.#nodes.set(node.id, node);
  }

  /** The node with this address (its id). */
  at(address: string): ReachableNode | undefined {
    return this.#nodes.get(address);
  }

  address(node: string): Promise<string | undefined> {
    return Promise.resolve(this.#nodes.has(node) ? node : undefined);
  }

  forget(): void {
    // Nothing cached: every look-up reads the directory.
  }
}

/** Forwards from one node, each delivery and each answer a step of the world. @internal */
export class SimulatedTransport implements ForwardTransport {
  constructor(
    private readonly sender: NodeProcess,
    private readonly clock: Clock,
    private readonly directory: SimulatedDirectory,
  ) {}

  send(address: string, request: ForwardRequest): Promise<ForwardResult> {
    const target = this.directory.at(address);
    if (!target || target.process.state === 'dead') return Promise.resolve({ sent: false, reason: 'ECONNREFUSED' });
    const wire = forwardRequest.parse(JSON.parse(JSON.stringify(request)));
    return new Promise<ForwardResult>((resolve, reject) => {
      let settled = false;
      const timer = this.clock.setTimer(request.timeoutMs, () => {
        if (settled) return;
        settled = true;
        reject(new ForwardFailedError(`Forwarding '${request.message}' to ${request.type}/${request.key} at ${address} got no answer within ${request.timeoutMs} ms; whether it was handled is unknown.`));
      });
      target.process.step(`serves '${request.message}' to ${request.type}/${request.key} from ${this.sender.id}`, () => {
        this.directory.served.set(request.message, (this.directory.served.get(request.message) ?? 0) + 1);
        void target.serve(wire).then((response) => {
          const answer = forwardResponse.parse(JSON.parse(JSON.stringify(response)));
          // The answer crosses back as a step of its own, and only reaches a sender that is awake to read it.
          this.sender.step(`reads the answer to '${request.message}' from ${target.id}`, () => {
            if (settled) return;
            settled = true;
            this.clock.clearTimer(timer);
            resolve({ sent: true, response: answer });
          });
        });
      });
    });
  }
}
