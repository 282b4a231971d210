import { tsaHandler } from '@sigstore/mock/dist/timestamp/handler.js';
import type { TSA } from '@sigstore/mock/dist/timestamp/tsa.js';

import { fromMock, type RouteResult } from './http.js';

/**
 * The TSA route, `POST /api/v1/timestamp`. The mock TSA reads its clock from
 * the Date it was given; the route sets that Date to the current whole
 * second before each request, because fractional seconds in `genTime` are
 * refused by `@sigstore/core` ("invalid time").
 */
export function tsaRoute(
  tsa: TSA,
  clock: Date,
): (body: string) => Promise<RouteResult> {
  const handler = tsaHandler(tsa);
  return async (body) => {
    clock.setTime(Math.floor(Date.now() / 1000) * 1000);
    // The handler reads the clock before its first await, so concurrent
    // requests cannot change it under a running one.
    const result = await handler.fn(body);
    return fromMock(result);
  };
}
