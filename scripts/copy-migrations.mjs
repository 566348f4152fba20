// tsc compiles only TypeScript: copy the numbered .sql migrations next to the compiled migrate.js.
import { cpSync } from 'node:fs';

cpSync('collector/db/migrations', 'dist/collector/db/migrations', { recursive: true });
