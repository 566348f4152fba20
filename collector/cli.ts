/**
 * `npx leadtrail <command>` (SPEC §1): serve, site add, export leads, erase, purge. Commands other than
 * serve open the same database file the server uses (SQLite allows both at once).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { createRepositories, type Repositories } from './repositories/index.js';
import { siteInputSchema, snippetTag } from './routes/sites.js';
import { describeIssues } from './errors.js';
import { leadsToCsv } from './export/leads-csv.js';
import { normalizeEmail } from './ingest/email.js';
import { systemTimeZone } from './time-zones.js';

const USAGE = `Usage: leadtrail <command>

  serve                                       run the collector and dashboard (npm start)
  site add <name> --domain <d> [--domain …] [--time-zone <IANA zone>]
                                              create a site (days reported in that zone, default
                                              this machine's); prints its key and the tag to paste
  export leads --site <key> [--out file.csv]  write the leads CSV (to stdout without --out)
  erase --email <address>                     delete that person and everything tied to them
  purge                                       delete the events older than each site's retention now
                                              (the server also does this every hour)

Settings come from the environment: PORT, HOST, LEADTRAIL_DB, LEADTRAIL_ADMIN_PASSWORD, LEADTRAIL_PUBLIC_URL.`;

/** A mistake in how the command was called: printed with the usage, exit code 2. */
class UsageError extends Error {}

export async function main(argv: string[], environment: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, subcommand, ...rest] = argv;
  try {
    if (command === 'serve') {
      const { startServer } = await import('./server.js');
      await startServer(environment);
      return 0;
    }
    if (command === 'site' && subcommand === 'add') return await withRepositories(environment, (repositories) => addSite(repositories, rest, environment));
    if (command === 'export' && subcommand === 'leads') return await withRepositories(environment, (repositories) => exportLeads(repositories, rest, environment));
    if (command === 'erase') return await withRepositories(environment, (repositories) => erase(repositories, argv.slice(1)));
    if (command === 'purge' && subcommand === undefined) return await withRepositories(environment, purge);
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      console.log(USAGE);
      return 0;
    }
    throw new UsageError(`Unknown command: ${argv.join(' ')}`);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
}

async function withRepositories(environment: NodeJS.ProcessEnv, run: (repositories: Repositories) => Promise<number>): Promise<number> {
  const database = openDatabase(readConfig(environment).databaseFile);
  try {
    return await run(createRepositories(database));
  } finally {
    database.close();
  }
}

async function addSite(repositories: Repositories, args: string[], environment: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { domain: { type: 'string', multiple: true }, 'time-zone': { type: 'string', default: systemTimeZone() } },
    allowPositionals: true,
  });
  const parsed = siteInputSchema.safeParse({ name: positionals.join(' '), domains: values.domain ?? [], time_zone: values['time-zone'] });
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues).map((issue) => `${issue.path || 'input'}: ${issue.message}`);
    throw new UsageError(`Cannot add the site: ${problems.join('; ')}`);
  }
  const site = await repositories.sites.createSite({ name: parsed.data.name, domains: parsed.data.domains, timeZone: parsed.data.time_zone });
  console.log(`Site "${site.name}" created for ${site.domains.join(', ')}; days reported in ${site.timeZone}.`);
  console.log(`Site key: ${site.key}`);
  console.log('Paste this tag into every page, before </head>:');
  console.log(snippetTag(readConfig(environment).publicUrl, site.key));
  return 0;
}

async function exportLeads(repositories: Repositories, args: string[], environment: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({ args, options: { site: { type: 'string' }, out: { type: 'string' } } });
  if (!values.site) throw new UsageError('export leads needs --site <key>');
  const site = await repositories.sites.findSiteByKey(values.site);
  if (!site) throw new Error(`No site with key ${values.site}`);
  const leads = await repositories.leads.listLeads(site.id, {});
  const csv = leadsToCsv(leads, readConfig(environment).publicUrl);
  if (values.out) {
    writeFileSync(values.out, csv);
    console.error(`Wrote ${leads.length} leads to ${values.out}`);
  } else {
    process.stdout.write(csv);
  }
  return 0;
}

async function erase(repositories: Repositories, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
  const email = normalizeEmail(values.email);
  if (!email) throw new UsageError('erase needs --email <address> with a valid address');
  const count = await repositories.people.erasePeopleByEmail(email);
  console.log(count === 0 ? `No person with the email ${email}.` : `Erased ${count} ${count === 1 ? 'person' : 'people'} with the email ${email} and everything tied to them.`);
  return 0;
}

async function purge(repositories: Repositories): Promise<number> {
  const purged = await repositories.retention.purgeExpired();
  console.log(`Deleted ${purged.events} expired events, ${purged.sessions} visits left without events, ${purged.people} anonymous visitors left without visits and ${purged.setAside} expired records set aside by stitching.`);
  return 0;
}
