/** All repositories over one database: the storage interface the routes and the CLI use. */
import type { SqliteDatabase } from '../db/open.js';
import { createAccountRepository, type AccountRepository } from './accounts.js';
import { createIngestRepository, type IngestRepository } from './ingest.js';
import { createLeadRepository, type LeadRepository } from './leads.js';
import { createOverviewRepository, type OverviewRepository } from './overview.js';
import { createPeopleRepository, type PeopleRepository } from './people.js';
import { createRetentionRepository, type RetentionRepository } from './retention.js';
import { createRollupRepository, type RollupRepository } from './rollups.js';
import { createSiteRepository, type SiteRepository } from './sites.js';

export interface Repositories {
  accounts: AccountRepository;
  ingest: IngestRepository;
  leads: LeadRepository;
  overview: OverviewRepository;
  people: PeopleRepository;
  retention: RetentionRepository;
  rollups: RollupRepository;
  sites: SiteRepository;
}

export function createRepositories(database: SqliteDatabase): Repositories {
  return {
    accounts: createAccountRepository(database),
    ingest: createIngestRepository(database),
    leads: createLeadRepository(database),
    overview: createOverviewRepository(database),
    people: createPeopleRepository(database),
    retention: createRetentionRepository(database),
    rollups: createRollupRepository(database),
    sites: createSiteRepository(database),
  };
}
