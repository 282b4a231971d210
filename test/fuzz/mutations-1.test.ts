import { standingRun } from './standing.js';

// Half 1 of the standing 2,000 mutations (see standing.ts).
standingRun(0x6d70726f + 1, 1000);
