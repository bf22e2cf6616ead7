// @ts-check
// Plain ESM so training scripts import it under bare `node`; types live in index.d.ts.
export { log } from './log.js';
export { params } from './params.js';
export { outputDir, seed } from './trial-env.js';
