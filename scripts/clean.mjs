// Every build starts from an empty dist/, so no file of an earlier build can be served or tested.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
