// GET /admin/health (viewer): the processes, the queues, the transport and the effective
// configuration with secrets redacted, from healthReport (the same as GET /api/health).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { healthReport } from '../health-report.js';
import { identityOf } from './auth.js';
import { sessionOnly } from './pages.js';
import { sendAdminPage } from './render.js';

/** `2026-11-13 09:30:05 UTC`, to the second: a heartbeat is every few seconds. */
const shortTime = (iso: string | null) => (iso === null ? null : `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`);

export function registerHealthPage(admin: FastifyInstance, ctx: ServerContext): void {
  admin.get('/health', async (request, reply) => {
    const session = sessionOnly(identityOf(request));
    const report = await healthReport(ctx);
    const processes = report.processes.map((p) => ({ ...p, started: shortTime(p.startedAt), seen: shortTime(p.seenAt) }));
    const failures = report.events.recentFailures.map((f) => ({ ...f, created: shortTime(f.createdAt) }));
    const lastTick = report.lastTick && { ...report.lastTick, when: shortTime(report.lastTick.at) };
    return sendAdminPage(reply, ctx, 200, 'health', { title: 'Health and settings', session }, { ...report, processes, failures, lastTick });
  });
}
