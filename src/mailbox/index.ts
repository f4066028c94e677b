export { Mailbox, DEFAULT_MAILBOX_CAPACITY } from './mailbox.js';
export type { MailboxDriver, MailboxOptions, OverflowPolicy, PostResult } from './mailbox.js';
