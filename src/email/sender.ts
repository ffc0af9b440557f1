// What every outgoing email shares: the checked sender addresses, DKIM signer, static headers
// and the per-recipient unsubscribe header.
import type { Config } from '../config/config.js';
import { field } from './compose.js';
import { createDkimSigner, type DkimSigner } from './dkim.js';
import type { HeaderField } from './dkim.js';
import { addressLine, checkAddress, encodeText, headerLine, oneLine } from './mime.js';
import { foldLines } from 'nodemailer/lib/mime-funcs';

export interface Sender {
  from: string;
  domain: string;
  dkim?: DkimSigner;
  unsubscribeMailto?: string;
  /** From, Reply-To, Subject, Date. */
  headers(subject: string): HeaderField[];
  /** List-Id and Feedback-ID (+ List-Unsubscribe-Post when the message carries List-Unsubscribe). */
  listHeaders(feedbackKind: string, oneClick: boolean): HeaderField[];
  /** The List-Unsubscribe field for one recipient. */
  listUnsubscribe(unsubscribeUrl: string, token: string): HeaderField;
}

export function createSender(config: Config): Sender {
  const from = checkAddress(config.email.fromAddress, 'email.fromAddress');
  const replyTo = config.email.replyTo ? checkAddress(config.email.replyTo, 'email.replyTo') : undefined;
  const unsubscribeMailto = config.email.unsubscribeMailto ? checkAddress(config.email.unsubscribeMailto, 'email.unsubscribeMailto') : undefined;
  const dkim = createDkimSigner(config);
  const domain = from.slice(from.lastIndexOf('@') + 1);
  // One Date for the whole render: retries and other recipients of the same render carry the same.
  const date = new Date().toUTCString().replace(/GMT$/, '+0000');
  return {
    from,
    domain,
    dkim,
    unsubscribeMailto,
    headers(subject) {
      return [
        field('From', addressLine('From', config.email.fromName, from)),
        ...(replyTo ? [field('Reply-To', `Reply-To: ${replyTo}`)] : []),
        field('Subject', headerLine('Subject', subject)),
        field('Date', `Date: ${date}`),
      ];
    },
    listHeaders(feedbackKind, oneClick) {
      const listId = oneLine(config.email.listId).replace(/[<>\s]/g, '');
      return [
        field('List-Id', foldLines(`List-Id: ${encodeText(oneLine(config.site.title))} <${listId}>`, 76)),
        ...(oneClick ? [field('List-Unsubscribe-Post', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click')] : []),
        field('Feedback-ID', headerLine('Feedback-ID', `${feedbackKind}:${oneLine(config.email.feedbackId)}`)),
      ];
    },
    listUnsubscribe(url, token) {
      return field(
        'List-Unsubscribe',
        unsubscribeMailto ? `List-Unsubscribe: <${url}>,\r\n <mailto:${unsubscribeMailto}?subject=unsubscribe%20${token}>` : `List-Unsubscribe: <${url}>`,
      );
    },
  };
}

/** Characters allowed in a Message-ID left part (dot-atom-text); everything else dropped. */
export function msgIdAtom(s: string, fallback: string): string {
  const atom = s
    .replace(/[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/g, '')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.|\.$/g, '');
  return atom.slice(0, 64) || fallback;
}
