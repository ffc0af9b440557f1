// A browser-like client for the console tests: real HTTP to the listening server, cookies kept
// per client, the CSRF token read from the page as a browser would submit it.
import { expect } from 'vitest';

export interface Answer {
  status: number;
  location: string | null;
  cookies: string[];
  body: string;
}

export class ConsoleClient {
  readonly jar = new Map<string, string>();

  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(new URL(path, this.base), {
      method,
      redirect: 'manual',
      headers: {
        ...(this.jar.size > 0 ? { cookie: this.cookieHeader() } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const cookies = res.headers.getSetCookie();
    for (const c of cookies) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), cookies, body: await res.text() };
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  post(path: string, form: Record<string, string> = {}): Promise<Answer> {
    return this.request('POST', path, form);
  }

  /** The sign-in form, then a post of it; resolves with the answer to the post. */
  async signIn(email: string, password: string): Promise<Answer> {
    const form = await this.get('/admin/login');
    expect(form.status).toBe(200);
    return this.post('/admin/login', { _csrf: csrfIn(form.body), email, password });
  }

  /** The CSRF token of the page at `path` (the session's). */
  async csrf(path = '/admin'): Promise<string> {
    const page = await this.get(path);
    expect(page.status, `GET ${path}`).toBe(200);
    return csrfIn(page.body);
  }
}

export function csrfIn(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1]!;
}
