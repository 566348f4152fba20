/**
 * The collector's settings, parsed from the environment by zod (SPEC §1, plus LEADTRAIL_IP_MODE,
 * LEADTRAIL_RATE_LIMIT and LOG_LEVEL). server.ts and cli.ts
 * call `readConfig(process.env)`; nothing else reads process.env.
 */
import { z } from 'zod';
import { IP_MODES, type IpMode } from './ingest/network.js';

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LEADTRAIL_DB: z.string().min(1).default('./data/leadtrail.db'),
  LEADTRAIL_ADMIN_PASSWORD: z.string().min(1).optional(),
  LEADTRAIL_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LEADTRAIL_IP_MODE: z.enum(IP_MODES).default('truncated'),
  LEADTRAIL_RATE_LIMIT: z.coerce.number().int().min(0).default(6000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  databaseFile: string;
  adminPassword: string | undefined;
  /** Where browsers reach the collector: the snippet tag and trail links point here. No trailing slash. */
  publicUrl: string;
  logLevel: string;
  /** How much of a visitor's IP address is stored: full, truncated (/24, /48) or none. */
  ipMode: IpMode;
  /** `POST /collect` requests a minute from one IP address before 429; 0 turns the limit off. */
  collectRateLimit: number;
}

export function readConfig(environment: NodeJS.ProcessEnv): Config {
  // An empty variable (`LEADTRAIL_ADMIN_PASSWORD=`) means unset, as in most shells' habits.
  const setVariables = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== ''));
  const parsed = environmentSchema.safeParse(setVariables);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  const env = parsed.data;
  // 0.0.0.0 is a bind address, not a place a browser can reach; the default URL names this machine.
  const reachableHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  return {
    port: env.PORT,
    host: env.HOST,
    databaseFile: env.LEADTRAIL_DB,
    adminPassword: env.LEADTRAIL_ADMIN_PASSWORD,
    publicUrl: (env.LEADTRAIL_PUBLIC_URL ?? `http://${reachableHost}:${env.PORT}`).replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL,
    ipMode: env.LEADTRAIL_IP_MODE,
    collectRateLimit: env.LEADTRAIL_RATE_LIMIT,
  };
}
