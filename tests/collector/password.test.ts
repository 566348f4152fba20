/** `POST /api/password` on the real app with a temp SQLite file. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createTestCollector, loginCookie, type TestCollector } from '../helpers/collector.js';

const NEW_PASSWORD = 'new passphrase 2026';

describe('POST /api/password', () => {
  let collector: TestCollector;
  let cookie: string;

  beforeEach(async () => {
    collector = await createTestCollector();
    cookie = await loginCookie(collector.app);
  });
  afterEach(() => collector.close());

  const changePassword = (payload: object, headers: Record<string, string> = { cookie }) =>
    collector.app.inject({ method: 'POST', url: '/api/password', payload, headers });
  const logIn = (password: string) => collector.app.inject({ method: 'POST', url: '/api/login', payload: { password } });

  it('changes the password: the new one logs in, the old one no longer does, this session goes on', async () => {
    const response = await changePassword({ current: ADMIN_PASSWORD, password: NEW_PASSWORD });
    expect(response.statusCode, response.body).toBe(204);
    expect(response.body).toBe('');
    expect((await logIn(ADMIN_PASSWORD)).statusCode).toBe(401);
    expect((await logIn(NEW_PASSWORD)).statusCode).toBe(200);
    expect((await collector.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
  });

  it('ends every other login session of the user, keeping the one that made the change', async () => {
    const elsewhere = await loginCookie(collector.app);
    expect((await changePassword({ current: ADMIN_PASSWORD, password: NEW_PASSWORD })).statusCode).toBe(204);
    expect((await collector.app.inject({ url: '/api/me', headers: { cookie: elsewhere } })).statusCode).toBe(401);
    expect((await collector.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
  });

  it('answers a wrong current password with 403 (the caller stays logged in) and keeps the old password', async () => {
    const response = await changePassword({ current: 'not the password', password: NEW_PASSWORD });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: 'wrong current password' });
    expect((await logIn(ADMIN_PASSWORD)).statusCode).toBe(200);
    expect((await collector.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
  });

  it('answers a new password under 10 characters, or a missing field, with 400 naming the field', async () => {
    const short = await changePassword({ current: ADMIN_PASSWORD, password: '123456789' });
    expect(short.statusCode).toBe(400);
    expect(short.json().details[0].path).toBe('password');
    const missing = await changePassword({ password: NEW_PASSWORD });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details[0].path).toBe('current');
    expect((await logIn(ADMIN_PASSWORD)).statusCode).toBe(200);
  });

  it('needs a session or token, and refuses a cookie-authenticated change from another origin', async () => {
    expect((await changePassword({ current: ADMIN_PASSWORD, password: NEW_PASSWORD }, {})).statusCode).toBe(401);
    const crossSite = await changePassword({ current: ADMIN_PASSWORD, password: NEW_PASSWORD }, { cookie, origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    expect((await logIn(ADMIN_PASSWORD)).statusCode).toBe(200);
  });

  it('accepts an API token as Bearer, with the current password still required', async () => {
    const { token } = (await collector.app.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'ops' }, headers: { cookie } })).json();
    const bearer = { authorization: `Bearer ${token}` };
    expect((await changePassword({ current: 'guess', password: NEW_PASSWORD }, bearer)).statusCode).toBe(403);
    expect((await changePassword({ current: ADMIN_PASSWORD, password: NEW_PASSWORD }, bearer)).statusCode).toBe(204);
    expect((await logIn(NEW_PASSWORD)).statusCode).toBe(200);
  });
});
