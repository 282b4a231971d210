/**
 * Child-process preload: lets plain Node 22 run the TypeScript sources
 * (Node strips the types) by resolving `./x.js` imports to `./x.ts`.
 */
import { register } from 'node:module';

register('./resolve-ts.ts', import.meta.url);
