// DKIM signing (RSA-SHA256, relaxed/relaxed) of a message assembled per recipient.
// The header part uses nodemailer's own signer; the body hash is computed by the caller from
// canonical pieces (see mime.ts), so nothing is parsed or re-canonicalized per message.
import dkimSign from 'nodemailer/lib/dkim/sign';
import type { Config } from '../config/config.js';
import { readDkimKey } from '../config/dkim-key.js';

/**
 * Signed header fields. List-Unsubscribe and List-Unsubscribe-Post are listed explicitly:
 * RFC 8058 only honours one-click unsubscribe when the signature covers both; RFC 9477 asks the
 * same of CFBL-Address and CFBL-Feedback-ID.
 */
export const SIGNED_HEADERS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:' +
  'List-Id:List-Unsubscribe:List-Unsubscribe-Post:Feedback-ID:CFBL-Address:CFBL-Feedback-ID';

export interface HeaderField {
  /** Lower-case field name. */
  key: string;
  /** The complete (possibly folded) header line without the final CRLF. */
  line: string;
}

export interface DkimSigner {
  domain: string;
  selector: string;
  /** Returns the DKIM-Signature header line (folded, no final CRLF). */
  sign(headers: HeaderField[], bodyHashB64: string): string;
}

export function createDkimSigner(config: Config): DkimSigner | undefined {
  const dkim = config.email.dkim;
  if (!dkim) return undefined;
  const key = readDkimKey(dkim); // checked when the configuration loaded; read again here
  return {
    domain: dkim.domain,
    selector: dkim.selector,
    sign(headers, bh) {
      const line = dkimSign(headers, 'sha256', bh, {
        domainName: dkim.domain,
        keySelector: dkim.selector,
        privateKey: key,
        headerFieldNames: SIGNED_HEADERS,
      });
      if (!line) throw new Error('DKIM signing failed');
      return line;
    },
  };
}
