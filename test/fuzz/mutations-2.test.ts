import { standingRun } from './standing.js';

// Half 2 of the standing 2,000 mutations (see standing.ts).
standingRun(0x6d70726f + 2, 1000);
