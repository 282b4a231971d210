/**
 * Module resolution hook for the store's child processes: the sources
 * import `./x.js`, which exists only as `./x.ts` until they are built.
 */
import type { ResolveHook } from 'node:module';

export const resolve: ResolveHook = async (specifier, context, next) => {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('.');
    if (!relative || !specifier.endsWith('.js')) throw error;
    return next(specifier.slice(0, -'.js'.length) + '.ts', context);
  }
};
