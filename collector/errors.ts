/**
 * One error shape for every route: `{ "error": "…", "details": … }`. Routes throw `HttpError`;
 * zod failures become 400 with their issues; Fastify's own client errors (bad JSON, body too
 * large, wrong media type) keep their status; anything else is logged with the request id and
 * answered with a generic 500, so internals never leak and the server never stops on input.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError, type z } from 'zod';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** zod issues as `[{ path: "events.0.ts", message }]`: short, and enough to find the fault. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): Array<{ path: string; message: string }> {
  return issues.slice(0, 20).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** Parses `value` with `schema` or throws a 400 naming what is wrong. */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, `invalid ${what}`, describeIssues(result.error.issues));
  return result.data;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError | ZodError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send({ error: error.message, details: error.details });
    }
    if (error instanceof ZodError) {
      return reply.code(400).send({ error: 'invalid input', details: describeIssues(error.issues) });
    }
    const statusCode = error.statusCode ?? 500;
    if (statusCode >= 400 && statusCode < 500) {
      return reply.code(statusCode).send({ error: clientErrorMessage(error), details: error.code });
    }
    request.log.error({ err: error, reqId: request.id }, 'request failed');
    return reply.code(500).send({ error: 'internal error', details: { request_id: request.id } });
  });
}

/** Fastify's messages are fine for clients, but a JSON parse error is clearer said plainly. */
function clientErrorMessage(error: FastifyError): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'request body is too large';
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return `body is not valid JSON: ${error.message}`;
  return error.message;
}
