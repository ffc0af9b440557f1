// Without SMTP_URL, messages are written as `.eml` files (one per message) under
// `<dataDir>/outbox/<campaign-or-test>/`, so a development setup "sends" without a mail server
// and the result can be opened in any mail client. Writes are atomic (temp file + rename), so a
// killed process never leaves half a message behind.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OutgoingMessage } from '../../email/message.js';
import type { Logger } from '../../logging.js';
import { SendError } from '../send-error.js';
import type { SendMeta, SendResult, Transport } from '../transport-types.js';

export function createOutboxTransport(dataDir: string, logger: Logger, explicit = false): Transport {
  const root = path.join(dataDir, 'outbox');
  const made = new Set<string>();
  if (explicit) logger.info({ outbox: root }, `SMTP_URL=outbox: messages are written to ${root}`);
  else logger.warn({ outbox: root }, `SMTP_URL is not set: messages are written to ${root} instead of being sent`);
  return {
    description: `outbox folder ${root}`,
    identity: 'outbox',
    async send(message: OutgoingMessage, meta?: SendMeta): Promise<SendResult> {
      const dir = path.join(root, safeName(meta?.campaign ?? 'test'));
      const file = path.join(dir, `${safeName(message.messageId)}.eml`);
      try {
        if (!made.has(dir)) {
          await mkdir(dir, { recursive: true });
          made.add(dir);
        }
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, message.raw);
        await rename(tmp, file);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        // A full or read-only disk is not the recipient's fault and will not fix itself per row.
        throw new SendError(`${file}: cannot write (${e.code ?? e.message})`, { kind: 'fatal', response: `${e.code ?? e.message}` });
      }
      return { code: 250, response: `250 written to ${file}` };
    },
    async close() {},
  };
}

/** A file-name-safe form of a Message-ID or slug: no brackets, slashes or odd characters. */
export function safeName(s: string): string {
  const cleaned = s
    .replace(/^<|>$/g, '')
    .replace(/[^A-Za-z0-9._@+-]/g, '_')
    .replace(/^\.+/, '_');
  return cleaned.slice(0, 200) || '_';
}
