/**
 * Cookie providers by service name: where to validate, which keys matter,
 * how often to rotate and which task rotates. Registering one is one call.
 */
import { z } from 'zod';
import { InvalidConfigError } from '../../errors.js';
import { CookieIdSchema, CookieKeyNameSchema, type ProviderPayload } from './messages.js';
import { DEFAULT_ROTATE_TASK, type RotateTask } from './rotate-task.js';

const ProviderConfigSchema = z.object({
  service: CookieIdSchema,
  validateUrl: z.string().url(),
  rotateUrl: z.string().url().optional(),
  cookieKeys: z.array(CookieKeyNameSchema).min(1, 'name at least one cookie key the service rotates'),
  rotateEveryMs: z.number().int().min(1),
  jitterMs: z.number().int().min(0).default(0),
  requestTimeoutMs: z.number().int().min(1).default(10_000),
  task: z.custom<RotateTask>((task) => typeof task === 'object' && task !== null && typeof (task as RotateTask).moduleHref === 'string', 'a task from defineRotateTask').optional(),
});

/**
 * A provider as registered. `rotateUrl` defaults to `validateUrl`; `task` to the default provider's.
 *
 * @example
 * ```ts
 * const shop: CookieProviderConfig = { service: 'shop', validateUrl: 'https://shop.example/me', rotateUrl: 'https://shop.example/rotate',
 *   cookieKeys: ['sid'], rotateEveryMs: 6 * 3_600_000, jitterMs: 600_000 };
 * ```
 */
export type CookieProviderConfig = z.input<typeof ProviderConfigSchema>;

/** A registered provider, defaults applied. */
export interface CookieProvider {
  readonly service: string;
  readonly rotateEveryMs: number;
  readonly jitterMs: number;
  readonly task: RotateTask;
  /** What the rotate task receives. */
  readonly payload: ProviderPayload;
}

/**
 * The providers of a system, by service name; several side by side.
 *
 * @example
 * ```ts
 * const providers = new CookieProviders();
 * providers.register({ service: 'shop', validateUrl: `${url}/validate`, rotateUrl: `${url}/rotate`, cookieKeys: ['sid'], rotateEveryMs: 60_000 });
 * ```
 */
export class CookieProviders {
  readonly #byService = new Map<string, CookieProvider>();

  /** Registers (or replaces) the provider of `config.service`; bad config throws `ERR_INVALID_CONFIG` and registers nothing. */
  register(config: CookieProviderConfig): CookieProvider {
    const parsed = ProviderConfigSchema.safeParse(config);
    if (!parsed.success) {
      const service = typeof (config as { service?: unknown })?.service === 'string' ? `'${(config as { service: string }).service}'` : '(unnamed)';
      throw new InvalidConfigError(`cookie provider ${service} is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ')}`);
    }
    const { service, validateUrl, rotateUrl, cookieKeys, rotateEveryMs, jitterMs, requestTimeoutMs, task } = parsed.data;
    const provider: CookieProvider = Object.freeze({
      service,
      rotateEveryMs,
      jitterMs,
      task: task ?? DEFAULT_ROTATE_TASK,
      payload: Object.freeze({ service, validateUrl, rotateUrl: rotateUrl ?? validateUrl, cookieKeys: [...cookieKeys], requestTimeoutMs }),
    });
    this.#byService.set(service, provider);
    return provider;
  }

  get(service: string): CookieProvider | undefined {
    return this.#byService.get(service);
  }

  services(): string[] {
    return [...this.#byService.keys()];
  }
}
