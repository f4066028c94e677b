export type { AcquireOutcome, Lease, LeasesOptions } from './leases.js';
export { Leases } from './leases.js';
export { LeaseExpiredError } from './errors.js';
export type { Fence, PgCommitOptions } from '../persistence/pg-fence.js';
export { FencedError } from '../persistence/pg-fence.js';
