// The baseline of bench/ingest.mjs: bare Fastify answering POST /collect with 204, on the port
// given as the first argument. It reads the body (Fastify's text/plain parser) and does nothing else.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/collect', async (_request, reply) => reply.code(204).send());
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
console.log('ready');
