import type { Capability } from './capability.js';
import { DefinitionError } from './errors.js';
import { isMiddleware, type Middleware } from './middleware.js';

/**
 * An immutable chain of middleware. `C` is the union of every capability the chain needs,
 * so a build for a target that lacks one is a type error.
 */
export class Pipeline<C extends Capability = never> {
  readonly kind = 'pipeline' as const;
  /** Phantom: carries the capabilities in the type only. */
  declare readonly capabilities?: C;
  readonly middleware: readonly Middleware[];

  constructor(middleware: readonly Middleware[] = []) {
    this.middleware = Object.freeze([...middleware]);
  }

  /** A new pipeline with `mw` appended. */
  use<N extends Capability>(mw: Middleware<N>): Pipeline<C | N> {
    if (!isMiddleware(mw)) {
      const name = typeof mw === 'object' && mw !== null && typeof (mw as { name?: unknown }).name === 'string' ? (mw as { name: string }).name : '?';
      throw new DefinitionError(name, 'use()', `expected a middleware made by defineMiddleware({ name, needs, request?, response? }) or a built-in such as securityHeaders(), got ${mw === null ? 'null' : typeof mw === 'function' ? 'a function (call the factory: securityHeaders(), not securityHeaders)' : typeof mw === 'object' ? 'a plain object (wrap it in defineMiddleware)' : typeof mw}`);
    }
    return new Pipeline<C | N>([...this.middleware, mw]);
  }
}

/**
 * Starts a pipeline.
 * @example
 * export default edge().use(securityHeaders()).use(geoRedirect({ countries: ['de', 'fr'] }));
 */
export function edge(): Pipeline<never> {
  return new Pipeline<never>();
}

export function isPipeline(value: unknown): value is Pipeline<Capability> {
  return value instanceof Pipeline || (typeof value === 'object' && value !== null && (value as Pipeline).kind === 'pipeline');
}
