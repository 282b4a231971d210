// Copies the data files that the library reads at run time (the embedded
// public-good trusted root) next to the compiled code; tsc copies only code.
import { cpSync } from 'node:fs';

cpSync('src/verify/roots', 'dist/verify/roots', { recursive: true });
