/**
 * Providers by service name: each one's config (validate URL, cookie keys,
 * interval with jitter) and its rotate task. Registering is one call; the
 * cookie actor sends the config inside every task's payload.
 */
import { InvalidConfigError } from '../../errors.js';
import { DEFAULT_ROTATE_TASK, type RotateTask } from './rotate-task.js';
import { ProviderConfigSchema, type ProviderConfig, type ProviderConfigInput } from './schemas.js';

/**
 * What `register` takes: a provider config, and optionally its own rotate
 * task (default: {@link DEFAULT_ROTATE_TASK}).
 *
 * @example
 * ```ts
 * const shop: ProviderRegistration = { service: 'shop', validateUrl: 'https://shop.example/me', cookieKeys: ['sid'], rotateEveryMs: 3_600_000, jitterMs: 60_000 };
 * ```
 */
export type ProviderRegistration = ProviderConfigInput & { readonly task?: RotateTask };

/** A registered provider. */
export interface CookieProvider {
  readonly config: ProviderConfig;
  readonly task: RotateTask;
}

/**
 * The providers of one system, by service name.
 *
 * @example
 * ```ts
 * const providers = new CookieProviders();
 * providers.register({ service: 'shop', validateUrl: 'https://shop.example/me', cookieKeys: ['sid'], rotateEveryMs: 3_600_000 });
 * providers.register({ service: 'forum', validateUrl: 'https://forum.example/session', cookieKeys: ['token', 'csrf'], rotateEveryMs: 86_400_000 });
 * ```
 */
export class CookieProviders {
  readonly #byService = new Map<string, CookieProvider>();

  /**
   * Registers (or replaces) the provider of `registration.service`. Throws
   * `ERR_INVALID_CONFIG` naming every problem of a bad config; nothing is registered then.
   */
  register(registration: ProviderRegistration): CookieProvider {
    const { task, ...config } = registration;
    const parsed = ProviderConfigSchema.safeParse(config);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ');
      throw new InvalidConfigError(`cookie provider '${String(config.service)}' is not valid: ${problems}`, { cause: parsed.error });
    }
    const provider: CookieProvider = Object.freeze({ config: Object.freeze(parsed.data), task: task ?? DEFAULT_ROTATE_TASK });
    this.#byService.set(provider.config.service, provider);
    return provider;
  }

  get(service: string): CookieProvider | undefined {
    return this.#byService.get(service);
  }

  /** Every registered service name. */
  services(): string[] {
    return [...this.#byService.keys()];
  }
}
