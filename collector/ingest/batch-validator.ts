/**
 * A yes-or-no check of schema.ts's batch schema that allocates nothing: the JSON Schema zod derives
 * from that definition, compiled by ajv into a plain function. The judge (accept.ts) runs it on
 * every beacon and asks zod about a batch only when it refuses one: zod has the final word and the
 * error messages. zod's parse builds a copy of every batch (about 6 KB a beacon), and on the HTTP
 * thread that garbage costs as much as the checking (bench/RESULTS.md).
 *
 * It must never accept what zod refuses, or the ingest worker, which parses with zod, would set
 * aside a beacon that was answered 204. Where the two could differ it is stricter, which costs only
 * a zod parse. tests/collector/batch-validator.test.ts holds it to that over thousands of batches at
 * and around every limit, and to zod's exact answer wherever it should give it.
 */
import { Ajv } from 'ajv';
import { z } from 'zod';
import { batchSchema, type CollectBatch } from './schema.js';

/**
 * What the JSON Schema says differently from zod's own, for ajv (z.toJSONSchema's `override` sees
 * each zod schema with the JSON Schema made of it):
 * - A string's length. zod counts code points. ajv can too, but it then counts every string of every
 *   beacon character by character, which took most of the time it saves; with `unicode: false` it
 *   reads String.length, in UTF-16 units. A code point is one or two units, so a maximum in units is
 *   only stricter, and a minimum of n code points is certain from 2n units on: minimums double.
 *   (The snippet's visitor ids, the one minimum above 1, are 20 characters.)
 * - A discriminated union. zod picks the event's schema by its `type`; plain JSON Schema tries every
 *   one (and ajv builds an error for each that fails). ajv's `discriminator` picks it as zod does.
 */
function forAjv({ zodSchema, jsonSchema }: { zodSchema: z.core.$ZodTypes; jsonSchema: z.core.JSONSchema.BaseSchema }): void {
  if (typeof jsonSchema.minLength === 'number' && jsonSchema.minLength > 1) jsonSchema.minLength *= 2;
  const definition = zodSchema._zod.def;
  if (definition.type === 'union' && 'discriminator' in definition) {
    // Its options are objects: ajv's strict mode wants that said where the discriminator is.
    jsonSchema.type = 'object';
    jsonSchema.discriminator = { propertyName: definition.discriminator };
  }
}

const ajv = new Ajv({
  unicode: false,
  // Patterns compiled as zod compiles them, without the `u` flag.
  unicodeRegExp: false,
  discriminator: true,
  // A schema ajv does not fully understand throws here rather than being half checked. The one
  // thing ajv would log is that `unicode` is deprecated (it is, but works).
  strict: true,
  logger: false,
});

/** True only for values `batchSchema` accepts; false for any it refuses and for a few it accepts (see above). */
export const conformsToBatchSchema = ajv.compile<CollectBatch>(z.toJSONSchema(batchSchema, { io: 'input', target: 'draft-7', override: forAjv }));
