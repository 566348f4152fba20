#!/usr/bin/env node
// The `leadtrail` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
import { main } from '../dist/collector/cli.js';

const exitCode = await main(process.argv.slice(2));
// `serve` keeps running until a signal; every other command ends here.
if (process.argv[2] !== 'serve') process.exit(exitCode);
else if (exitCode !== 0) process.exit(exitCode);
