/**
 * Errors of the ownership layer. Each has a fixed `name` and a literal `code`.
 */
import { errorClass } from '../errors.js';

/**
 * This node's own clock says its lease on an entity has run out (send time +
 * ttl − margin passed without a renewal): it must stop writing and
 * acknowledging for it before PostgreSQL could give the entity to another node.
 *
 * @example
 * ```ts
 * try { leases.valid('cook', id); }
 * catch (error) { if (error instanceof LeaseExpiredError) return deactivate(id); throw error; }
 * ```
 */
export class LeaseExpiredError extends errorClass('LeaseExpiredError', 'ERR_LEASE_EXPIRED') {}
