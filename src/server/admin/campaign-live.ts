// The campaign page's live figures: a small script, served from the console itself (the pages'
// CSP allows scripts from 'self' only), that follows GET /api/campaigns/:slug/stream with
// EventSource and writes each report into the page's figures as text (never as HTML). Without
// JavaScript the page is the static report the server rendered, with a refresh link. When the
// campaign ends, the page reloads once, so its buttons are those of the finished campaign.
import type { FastifyInstance } from 'fastify';

// Browser code, as a string: the project's tsconfig has no DOM types.
const SCRIPT = `(() => {
  const root = document.querySelector('[data-stream]');
  if (!root || typeof EventSource !== 'function') return;
  const source = new EventSource(root.dataset.stream);
  const set = (name, value) => { for (const el of document.querySelectorAll('[data-live="' + name + '"]')) el.textContent = String(value); };
  const seconds = (s) => s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s' : Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  const rows = (id, items, cells) => {
    const body = document.getElementById(id);
    if (!body) return;
    body.replaceChildren(...items.map((item) => {
      const tr = document.createElement('tr');
      for (const [label, value, cls] of cells(item)) {
        const td = document.createElement('td');
        td.dataset.label = label;
        if (cls) td.className = cls;
        td.textContent = String(value);
        tr.append(td);
      }
      return tr;
    }));
  };
  source.addEventListener('report', (event) => {
    const r = JSON.parse(event.data);
    set('state', r.summary.state);
    set('sent', r.stats.sent);
    set('failed', r.stats.failed);
    set('waiting', r.waiting);
    set('bounces', r.summary.hardBounces + r.summary.softBounces);
    set('complaints', r.summary.complaints);
    set('cancelled', r.summary.cancelled);
    set('rate', r.pace.perSecond === null ? '—' : r.pace.perSecond + ' per second');
    set('eta', r.pace.etaSeconds === null ? '—' : seconds(r.pace.etaSeconds));
    rows('live-workers', r.workers, (w) => [['Worker', w.workerId], ['Sent', w.sent, 'n'], ['Sending', w.sending, 'n']]);
    rows('live-errors', r.errors.groups, (g) => [['Code', g.smtpCode === null ? '—' : g.smtpCode], ['Response', g.response, 'title'], ['Failed', g.failed, 'n'], ['Retrying', g.retry, 'n']]);
    root.dataset.live = 'on';
  });
  source.addEventListener('end', () => {
    source.close();
    location.reload();
  });
})();
`;

export const CAMPAIGN_LIVE_SCRIPT_PATH = '/admin/campaign-live.js';

export function registerCampaignLiveScript(admin: FastifyInstance): void {
  admin.get(
    '/campaign-live.js',
    { schema: { response: { 200: { description: 'the campaign page script', content: { 'text/javascript': { schema: { type: 'string' } } } } } } },
    async (_request, reply) => reply.headers({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).send(SCRIPT),
  );
}
